package io.starling.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.kv.KvCacheFullException;
import io.starling.kv.PagedKvStore;
import io.starling.model.RecordingStores;
import io.starling.model.Warmup;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The engine loop's warm-up: on the caches' warm-up stores, none of the serving cache's memory, all freed. */
class EngineWarmupTest extends EmbeddedStoriesTest {

    @Test
    void theLoopWarmsUpOnPagedStoresOutsideTheServingCacheAndFreesThemWhenStopped() throws Exception {
        PagedKvCaches serving = stories.caches(EmbeddedStories.kv(16L << 20, Optional.empty()));
        RecordingCaches caches = new RecordingCaches(serving);
        Scheduler scheduler = new Scheduler(stories.text,
                new SchedulerSettings(64, 4, 16, 60_000, 2, Map.of(), false, true), caches, EngineMetrics.NONE);
        try {
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (caches.stores.opened.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(caches.stores.opened).as("stores the warm-up opened").isNotEmpty()
                    .allSatisfy(kv -> assertThat(kv).isInstanceOf(PagedKvStore.class));
            assertThat(serving.stats().allocatedBytes()).as("serving cache memory taken by the warm-up").isZero();
        } finally {
            scheduler.close();
        }
        // stopped mid-warm-up or after it: either way every store it opened is closed and its arena freed
        assertThat(caches.stores.closed).containsExactlyInAnyOrderElementsOf(caches.stores.opened);
        assertThat(caches.stores.released).isTrue();
    }

    /** The paged caches, with their warm-up stores recorded. */
    private static final class RecordingCaches implements KvCaches {
        private final PagedKvCaches inner;
        final RecordingStores stores;

        RecordingCaches(PagedKvCaches inner) {
            this.inner = inner;
            this.stores = new RecordingStores(inner.warmupStores());
        }

        @Override
        public void check(GenerationRequest request) {
            inner.check(request);
        }

        @Override
        public KvCache open(GenerationRequest request, int capacity) {
            return inner.open(request, capacity);
        }

        @Override
        public KvCache fork(KvCache prompt, int positions, int capacity) throws KvCacheFullException {
            return inner.fork(prompt, positions, capacity);
        }

        @Override
        public void abandon(GenerationRequest request) {
            inner.abandon(request);
        }

        @Override
        public Warmup.Stores warmupStores() {
            return stores;
        }

        @Override
        public int live() {
            return inner.live();
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
