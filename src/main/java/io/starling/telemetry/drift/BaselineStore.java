package io.starling.telemetry.drift;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;

/** Where a series' completed reference (category → count) is kept, so a restarted server compares with the same. */
public interface BaselineStore {

    /** No saved baselines: every series collects its reference from its first predictions after each start. */
    BaselineStore NONE = new BaselineStore() {
        @Override
        public Optional<Map<String, Long>> load(DriftKey key) {
            return Optional.empty();
        }

        @Override
        public void save(DriftKey key, Map<String, Long> reference) {
        }
    };

    Optional<Map<String, Long>> load(DriftKey key) throws IOException;

    void save(DriftKey key, Map<String, Long> reference) throws IOException;
}
