package io.starling.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.kv.KvCacheStats;
import io.starling.sampling.SamplerConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The scheduler under a KV cap: sequences that cannot reserve memory wait a step instead of corrupting anything, a
 * request that can never fit is refused (429) instead of hanging, {@code n} choices share the prompt's pages, and
 * after concurrent requests with cancellations every page is accounted for.
 */
class PagedKvSchedulingTest extends EmbeddedStoriesTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void aRequestLargerThanTheWholeCacheIsRefusedAndOthersStillRun() throws Exception {
        // two pages: 32 positions
        PagedKvCaches caches = stories.caches(EmbeddedStories.kv(2 * stories.pageBytes(), Optional.empty()));
        try (Scheduler scheduler = stories.scheduler(caches, 4, 64, EngineMetrics.NONE)) {
            StreamRecorder tooLong = new StreamRecorder(scheduler.submit(endless("Once upon a time", 60, 1))).await(WAIT);
            assertThat(tooLong.failure).isInstanceOf(KvCacheExhaustedException.class);
            assertThat(((KvCacheExhaustedException) tooLong.failure).retryable()).as("alone, it can never fit").isFalse();
            assertThat(caches.stats().cacheFullRejections()).as("it ran until a reservation was refused").isPositive();
            StreamRecorder fits = new StreamRecorder(scheduler.submit(endless("Once upon a time", 10, 1))).await(WAIT);
            assertThat(fits.failure).isNull();
            assertThat(fits.tokens(0)).hasSize(10);
            SchedulerTest.assertNothingLeaks(scheduler);
        }
    }

    @Test
    void choicesShareThePromptsFullPagesAndDecodeAsSeparateRequestsWould() throws Exception {
        // 33 prompt positions + 8 generated: three pages per sequence, two of them the prompt's full pages
        int[] prompt = new int[33];
        prompt[0] = 1;
        for (int i = 1; i < prompt.length; i++) {
            prompt[i] = 300 + i;
        }
        List<int[]> alone = new ArrayList<>();
        try (Scheduler scheduler = stories.scheduler(4, 512)) {
            for (int i = 0; i < 3; i++) {
                GenerationRequest single = new GenerationRequest(prompt,
                        SamplerConfig.sampling(0.9f, 77 + i).withMaskedTokens(eos), 8, 1, List.of(), -1);
                alone.add(new StreamRecorder(scheduler.submit(single)).await(WAIT).tokens(0));
            }
        }
        // six pages: three copies would need nine, shared they need two plus one each
        PagedKvCaches caches = stories.caches(EmbeddedStories.kv(6 * stories.pageBytes(), Optional.empty()));
        try (Scheduler scheduler = stories.scheduler(caches, 4, 512, EngineMetrics.NONE)) {
            GenerationRequest three = new GenerationRequest(prompt,
                    SamplerConfig.sampling(0.9f, 77).withMaskedTokens(eos), 8, 3, List.of(), -1);
            StreamRecorder recorder = new StreamRecorder(scheduler.submit(three)).await(WAIT);
            assertThat(recorder.failure).isNull();
            for (int i = 0; i < 3; i++) {
                assertThat(recorder.tokens(i)).as("choice " + i).containsExactly(alone.get(i));
            }
            assertThat(caches.stats().cacheFullRejections()).isZero();
            SchedulerTest.assertNothingLeaks(scheduler);
        }
    }

    @Test
    void concurrentRequestsWithCancellationsUnderATightCapLeakNoPage() throws Exception {
        // twelve pages for up to eight sequences of ~40 positions: sequences wait for pages, some are refused
        KvSettings tight = EmbeddedStories.kv(12 * stories.pageBytes(), Optional.of(dir.resolve("stress-spill")));
        PagedKvCaches caches = stories.caches(tight);
        Random random = new Random(42);
        List<String> prompts = List.of("Once upon a time", "The cat sat on the mat and", "One day", "Tom had a red ball");
        try (Scheduler scheduler = stories.scheduler(caches, 8, 64, EngineMetrics.NONE)) {
            List<StreamRecorder> streams = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                String session = null;
                if (i % 6 == 0) {
                    session = caches.createSession();
                    caches.acquire(session);
                }
                GenerationRequest request = endless(prompts.get(random.nextInt(prompts.size())), 20 + random.nextInt(20),
                        session == null ? 1 + random.nextInt(2) : 1);
                var events = scheduler.submit(session == null ? request : request.withSession(session));
                streams.add(new StreamRecorder(random.nextInt(3) == 0 ? events.select().first(1 + random.nextInt(10)) : events));
            }
            int refused = 0;
            for (StreamRecorder stream : streams) {
                stream.await(WAIT);
                assertThat(stream.terminals).hasValue(1);
                if (stream.failure != null) {
                    assertThat(stream.failure).isInstanceOf(KvCacheExhaustedException.class);
                    refused++;
                }
            }
            SchedulerTest.assertNothingLeaks(scheduler);
            KvCacheStats stats = caches.stats();
            assertThat(stats.allocatedBytes()).isLessThanOrEqualTo(tight.capacityBytes());
            assertThat(stats.openStores()).as("only the sessions keep stores").isEqualTo(4);
            assertThat(refused).as("most requests ran").isLessThan(streams.size() / 2);
        }
    }

    private static GenerationRequest endless(String prompt, int maxTokens, int n) {
        return new GenerationRequest(stories.encode(prompt), SamplerConfig.greedy().withMaskedTokens(eos), maxTokens, n,
                List.of(), -1);
    }
}
