package io.starling.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.starling.kv.KvCacheStats;
import io.starling.sampling.SamplerConfig;
import io.starling.session.SessionBusyException;
import io.starling.session.UnknownSessionException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Steps never exceed {@link SchedulerTest#SMALL_STEP_TOKENS} tokens here (see there why greedy tokens then match
 * exactly on the embedded model, however a prompt is chunked: all of it, or only what a cache lacks).
 *
 * <p>Sessions through the scheduler over the paged arena: a later turn runs on the session's own KV store, skips the
 * prefill of everything it already holds, and gives exactly the tokens of sending the whole conversation at once;
 * with a cap so small that the idle session is evicted (spilled and read back, or dropped and recomputed) the
 * tokens are still the same.
 */
class SessionSchedulingTest extends EmbeddedStoriesTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    static int[] first;
    static int[] then;

    @BeforeAll
    static void prompts() {
        first = stories.encode("Once upon a time");
        int[] withBos = stories.encode(" Then the");
        // a continuation has no second BOS
        then = Arrays.copyOfRange(withBos, 1, withBos.length);
    }

    @Test
    void aSessionTurnReusesItsCacheAndGivesTheTokensOfTheWholeConversation() throws Exception {
        int[] firstReply;
        int[] whole;
        int[] fresh;
        try (Scheduler plain = stories.scheduler(SchedulerTest.SMALL_STEP_TOKENS, SchedulerTest.SMALL_STEP_TOKENS)) {
            firstReply = run(plain, greedy(first, 12));
            whole = concat(first, firstReply, then);
            fresh = run(plain, greedy(whole, 12));
        }
        PagedKvCaches caches = stories.caches(EmbeddedStories.kv(16L << 20, Optional.empty()));
        SchedulerTest.StepSizes steps = new SchedulerTest.StepSizes();
        try (Scheduler scheduler = stories.scheduler(caches, SchedulerTest.SMALL_STEP_TOKENS, SchedulerTest.SMALL_STEP_TOKENS, steps)) {
            String id = caches.createSession();
            SessionLease lease = caches.acquire(id);
            assertThat(lease.transcript()).isEmpty();
            assertThat(run(scheduler, greedy(first, 12).withSession(id))).containsExactly(firstReply);

            SessionLease second = caches.acquire(id);
            assertThat(second.transcript()).as("the conversation so far").containsExactly(concat(first, firstReply));
            assertThatThrownBy(() -> caches.acquire(id)).as("one turn at a time").isInstanceOf(SessionBusyException.class);
            int before = steps.totalTokens.get();
            int[] continued = run(scheduler, greedy(concat(second.transcript(), then), 12).withSession(id));
            assertThat(continued).containsExactly(fresh);
            // the store held the first prompt and all but the last reply token (never fed back): only the rest ran
            int reused = first.length + firstReply.length - 1;
            assertThat(steps.totalTokens.get() - before).isLessThanOrEqualTo(whole.length - reused + continued.length);

            assertThat(caches.closeSession(id)).isTrue();
            assertThatThrownBy(() -> caches.acquire(id)).isInstanceOf(UnknownSessionException.class);
            SchedulerTest.assertNothingLeaks(scheduler);
            assertThat(caches.stats().openStores()).isZero();
        }
    }

    @Test
    void aTurnThatIsStoppedLeavesTheConversationAsItWasAndALeaseGivenBackFreesTheSession() throws Exception {
        PagedKvCaches caches = stories.caches(EmbeddedStories.kv(16L << 20, Optional.empty()));
        try (Scheduler scheduler = stories.scheduler(caches, 4, 64, EngineMetrics.NONE)) {
            String id = caches.createSession();
            caches.acquire(id);
            int[] reply = run(scheduler, greedy(first, 6).withSession(id));
            SessionLease lease = caches.acquire(id);
            StreamRecorder cancelled = new StreamRecorder(
                    scheduler.submit(greedy(concat(lease.transcript(), then), 200).withSession(id)).select().first(2));
            cancelled.await(WAIT);
            SchedulerTest.waitUntil(() -> scheduler.inFlight() == 0, "the cancelled turn ends");
            SessionLease next = caches.acquire(id);
            assertThat(next.transcript()).as("a client can retry the turn").containsExactly(concat(first, reply));
            next.cancel();
            caches.acquire(id).cancel();
            SchedulerTest.assertNothingLeaks(scheduler);
        }
    }

    @ParameterizedTest(name = "spill file: {0}")
    @ValueSource(booleans = {true, false})
    void anEvictedSessionGivesTheSameTokensAsOneNeverEvicted(boolean spill) throws Exception {
        int[] expected = secondTurn(EmbeddedStories.kv(16L << 20, Optional.empty()), false);
        // six pages: the session's idle pages must make room for the long one-off requests in between
        KvSettings tight = EmbeddedStories.kv(6 * stories.pageBytes(),
                spill ? Optional.of(dir.resolve("spill-" + System.nanoTime())) : Optional.empty());
        assertThat(secondTurn(tight, true)).containsExactly(expected);
    }

    /** A session's second turn, after other requests that (under a tight cap) evict its idle pages. */
    private int[] secondTurn(KvSettings settings, boolean expectEviction) throws Exception {
        PagedKvCaches caches = stories.caches(settings);
        try (Scheduler scheduler = stories.scheduler(caches, SchedulerTest.SMALL_STEP_TOKENS, SchedulerTest.SMALL_STEP_TOKENS, EngineMetrics.NONE)) {
            String id = caches.createSession();
            caches.acquire(id);
            run(scheduler, greedy(first, 40).withSession(id));
            for (String other : List.of("The cat sat on the mat and", "Lily and Ben went to the park")) {
                // EOS masked: each runs its full 60 tokens, five pages
                run(scheduler, new GenerationRequest(stories.encode(other),
                        SamplerConfig.greedy().withMaskedTokens(eos), 60, 1, List.of(), -1));
            }
            KvCacheStats between = caches.stats();
            SessionLease lease = caches.acquire(id);
            int[] reply = run(scheduler, greedy(concat(lease.transcript(), then), 20).withSession(id));
            KvCacheStats after = caches.stats();
            if (expectEviction) {
                assertThat(between.evictions()).as("the idle session was evicted").isPositive();
                if (settings.spillPath().isPresent()) {
                    assertThat(between.spilledPages()).isPositive();
                    assertThat(after.restoredPages()).as("read back from the spill file").isPositive();
                }
            } else {
                assertThat(after.evictions()).isZero();
            }
            assertThat(after.allocatedBytes()).isLessThanOrEqualTo(settings.capacityBytes());
            SchedulerTest.assertNothingLeaks(scheduler);
            return reply;
        }
    }

    static int[] run(Scheduler scheduler, GenerationRequest request) throws InterruptedException {
        StreamRecorder recorder = new StreamRecorder(scheduler.submit(request)).await(WAIT);
        assertThat(recorder.failure).isNull();
        return recorder.tokens(0);
    }

    static GenerationRequest greedy(int[] prompt, int maxTokens) {
        return new GenerationRequest(prompt, SamplerConfig.greedy(), maxTokens, 1, List.of(), -1);
    }

    static int[] concat(int[]... parts) {
        int[] out = new int[Arrays.stream(parts).mapToInt(p -> p.length).sum()];
        int at = 0;
        for (int[] part : parts) {
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        return out;
    }
}
