package io.starling.api.openai;

import io.smallrye.mutiny.Multi;
import io.starling.engine.GenerationEvent;
import io.starling.engine.GenerationRequest;
import io.starling.engine.InferenceEngine;
import java.util.ArrayList;
import java.util.List;

/** Submits the jobs of a multi-prompt request all or nothing. */
final class Submissions {

    private Submissions() {
    }

    /**
     * Admits every job, or none: when one is refused (queue full), the ones already admitted are cancelled so they
     * do not run for a client that got a 429.
     */
    static List<Multi<GenerationEvent>> all(InferenceEngine engine, List<GenerationRequest> jobs) {
        List<Multi<GenerationEvent>> submitted = new ArrayList<>(jobs.size());
        try {
            for (GenerationRequest job : jobs) {
                submitted.add(engine.submit(job));
            }
            return submitted;
        } catch (RuntimeException e) {
            for (Multi<GenerationEvent> multi : submitted) {
                multi.subscribe().with(event -> { }, failure -> { }).cancel();
            }
            throw e;
        }
    }
}
