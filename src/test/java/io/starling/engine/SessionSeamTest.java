package io.starling.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.model.ContiguousKvStore;
import io.starling.model.KvStore;
import io.starling.model.ModelShape;
import io.starling.sampling.SamplerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seam the session registry plugs into: a {@link KvCaches} that keeps a session's cache between requests and
 * reports the prompt prefix it already holds. The scheduler must skip that prefix's prefill and still produce the
 * tokens a fresh cache gives.
 */
class SessionSeamTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void aSessionCacheHoldingThePromptPrefixSkipsItsPrefillAndGivesTheSameTokens() throws Exception {
        try (EmbeddedStories stories = new EmbeddedStories(dir)) {
            int[] first = stories.encode("Once upon a time");
            int[] firstReply;
            int[] fresh;
            int[] second;
            try (Scheduler plain = stories.scheduler(4, 64)) {
                firstReply = new StreamRecorder(plain.submit(greedy(first))).await(WAIT).tokens(0);
                int[] then = stories.encode(" Then");
                // the next turn: the whole conversation so far, then new text (without a second BOS)
                second = concat(first, firstReply, Arrays.copyOfRange(then, 1, then.length));
                fresh = new StreamRecorder(plain.submit(greedy(second))).await(WAIT).tokens(0);
            }
            KeptSessions sessions = new KeptSessions(stories.text.model().shape());
            SchedulerTest.StepSizes steps = new SchedulerTest.StepSizes();
            try (Scheduler scheduler = new Scheduler(stories.text,
                    new SchedulerSettings(8, 4, 512, 60_000, 2, Map.of()), sessions, steps)) {
                int[] reply = new StreamRecorder(scheduler.submit(greedy(first).withSession("s"))).await(WAIT).tokens(0);
                assertThat(reply).containsExactly(firstReply);
                int before = steps.totalTokens.get();
                int[] continued = new StreamRecorder(scheduler.submit(greedy(second).withSession("s"))).await(WAIT)
                        .tokens(0);
                assertThat(continued).containsExactly(fresh);
                // the cache held the first prompt and all but the last reply token (never fed back)
                int reused = sessions.reused.get();
                assertThat(reused).isEqualTo(first.length + firstReply.length - 1);
                // only the new part of the prompt was prefilled, then at most one step per generated token
                assertThat(steps.totalTokens.get() - before).isLessThanOrEqualTo(second.length - reused + continued.length);
                SchedulerTest.assertNothingLeaks(scheduler);
            }
        }
    }

    private static GenerationRequest greedy(int[] prompt) {
        return new GenerationRequest(prompt, SamplerConfig.greedy(), 12, 1, List.of(), -1);
    }

    private static int[] concat(int[]... parts) {
        int[] out = new int[Arrays.stream(parts).mapToInt(p -> p.length).sum()];
        int at = 0;
        for (int[] part : parts) {
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        return out;
    }

    /** The smallest session keeper: one store per session id, reused for the prefix its kept tokens share. */
    private static final class KeptSessions implements KvCaches {
        private final ModelShape shape;
        private final Map<String, KvStore> stores = new HashMap<>();
        private final Map<String, int[]> held = new HashMap<>();
        final AtomicInteger reused = new AtomicInteger();
        private int live;

        KeptSessions(ModelShape shape) {
            this.shape = shape;
        }

        @Override
        public void check(GenerationRequest request) {
        }

        @Override
        public KvCache open(GenerationRequest request, int capacity) {
            String id = request.sessionId();
            KvStore store = stores.computeIfAbsent(id, s -> ContiguousKvStore.forShape(shape, shape.contextLength()));
            int[] tokens = held.getOrDefault(id, new int[0]);
            int[] prompt = request.prompt();
            int common = Arrays.mismatch(tokens, prompt);
            int prefix = common < 0 ? tokens.length : Math.min(common, Math.min(tokens.length, prompt.length));
            reused.set(prefix);
            live++;
            return new KvCache() {
                @Override
                public KvStore store() {
                    return store;
                }

                @Override
                public int reusedPositions() {
                    return prefix;
                }

                @Override
                public void release(int[] kept) {
                    held.put(id, kept);
                    live--;
                }
            };
        }

        @Override
        public KvCache fork(KvCache prompt, int positions, int capacity) {
            throw new UnsupportedOperationException("n = 1 only here");
        }

        @Override
        public int live() {
            return live;
        }
    }
}
