package io.starling.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Multi;
import io.starling.engine.GenerationEvent.Completed;
import io.starling.engine.GenerationEvent.GeneratedToken;
import io.starling.engine.GenerationEvent.SequenceEnd;
import io.starling.sampling.SamplerConfig;
import io.starling.registry.ModelRegistry;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The engine seam against the embedded stories260K model (the same file as golden.json's stories260K-Q8_0). */
@QuarkusTest
class InferenceEngineTest {

    static final int[] ONCE_UPON_A_TIME = {1, 403, 407, 261, 378};
    static final String GOLDEN = ", there was a little girl named Lily. She loved to play outside in the park. One day,"
            + " she saw a big, red ball. She wanted to play with it, but it was too high.\nLily's mom said";

    @Inject
    ModelRegistry registry;

    /** The engine of the one model version the test server deploys (the embedded model). */
    private InferenceEngine engine() {
        return registry.all().getFirst().engine();
    }

    @Test
    void greedyGenerationStreamsTheGoldenText() {
        List<GenerationEvent> events = engine().submit(request(64, 1, List.of()))
                .collect().asList().await().atMost(Duration.ofSeconds(60));
        String text = events.stream().map(e -> switch (e) {
            case GeneratedToken t -> t.text();
            case SequenceEnd end -> end.text();
            default -> "";
        }).collect(Collectors.joining());
        assertThat(text).isEqualTo(GOLDEN);
        assertThat(events.getLast()).isInstanceOfSatisfying(Completed.class, c -> {
            assertThat(c.promptTokens()).isEqualTo(5);
            assertThat(c.completionTokens()).isEqualTo(64);
        });
        assertThat(events.get(events.size() - 2)).isInstanceOfSatisfying(SequenceEnd.class,
                end -> assertThat(end.reason()).isEqualTo(FinishReason.LENGTH));
    }

    @Test
    void aStopStringEndsTheSequenceAndIsCut() {
        List<GenerationEvent> events = engine().submit(request(64, 2, List.of("Lily")))
                .collect().asList().await().atMost(Duration.ofSeconds(60));
        List<SequenceEnd> ends = events.stream().filter(SequenceEnd.class::isInstance).map(SequenceEnd.class::cast).toList();
        assertThat(ends).hasSize(2).allSatisfy(end -> assertThat(end.reason()).isEqualTo(FinishReason.STOP));
        String first = events.stream().filter(e -> e instanceof GeneratedToken t && t.index() == 0)
                .map(e -> ((GeneratedToken) e).text()).collect(Collectors.joining());
        assertThat(first).isEqualTo(", there was a little girl named ");
    }

    @Test
    void cancellingTheSubscriptionStopsTheJobSoTheNextRunsAtOnce() {
        // take two tokens of a long generation, then cancel: the engine must be free for the next request
        List<GenerationEvent> firstTwo = engine().submit(request(400, 1, List.of()))
                .select().first(2).collect().asList().await().atMost(Duration.ofSeconds(60));
        assertThat(firstTwo).hasSize(2);
        long start = System.nanoTime();
        engine().submit(request(1, 1, List.of())).collect().asList().await().atMost(Duration.ofSeconds(60));
        // 400 tokens of this model take far longer than a cancelled job's remaining step
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aFullQueueRefusesAtOnce() {
        List<Multi<GenerationEvent>> admitted = new ArrayList<>();
        assertThatThrownBy(() -> {
            for (int i = 0; i < 1000; i++) {
                admitted.add(engine().submit(request(8, 1, List.of())));
            }
        }).isInstanceOfSatisfying(QueueFullException.class, e -> assertThat(e.retryAfterSeconds()).isBetween(1, 60));
        // drain what was admitted so later tests find an idle engine
        for (Multi<GenerationEvent> multi : admitted) {
            multi.collect().asList().await().atMost(Duration.ofSeconds(60));
        }
        assertThat(engine().queueDepth()).isZero();
    }

    @Test
    void embeddingsAreUnitVectors() {
        float[] embedding = engine().embed(ONCE_UPON_A_TIME).await().atMost(Duration.ofSeconds(30));
        double norm = 0;
        for (float v : embedding) {
            norm += v * v;
        }
        assertThat(Math.sqrt(norm)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
    }

    private static GenerationRequest request(int maxTokens, int n, List<String> stop) {
        return new GenerationRequest(ONCE_UPON_A_TIME, SamplerConfig.greedy(), maxTokens, n, stop, -1);
    }
}
