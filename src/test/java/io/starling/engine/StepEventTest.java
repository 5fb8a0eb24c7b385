package io.starling.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.sampling.SamplerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;

/** The engine loop's {@code io.starling.EngineStep} flight-recorder events account for every token it ran. */
class StepEventTest extends EmbeddedStoriesTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void everyStepIsRecordedWithItsTokensAndTimes() throws Exception {
        int[] first = stories.encode("Once upon a time");
        int[] second = stories.encode("Lily and Ben went to the park");
        int maxTokens = 12;
        Path file = dir.resolve("steps.jfr");
        try (Recording recording = new Recording()) {
            recording.enable("io.starling.EngineStep");
            recording.start();
            try (Scheduler scheduler = stories.scheduler(8, 4, 64, 60_000, EngineMetrics.NONE, Map.of())) {
                // EOS masked: each sequence runs to exactly maxTokens
                SamplerConfig greedy = SamplerConfig.greedy().withMaskedTokens(eos);
                StreamRecorder a = new StreamRecorder(scheduler.submit(
                        new GenerationRequest(first, greedy, maxTokens, 1, List.of(), -1)));
                StreamRecorder b = new StreamRecorder(scheduler.submit(
                        new GenerationRequest(second, greedy, maxTokens, 2, List.of(), -1)));
                a.await(WAIT);
                b.await(WAIT);
            }
            recording.stop();
            recording.dump(file);
        }
        List<RecordedEvent> steps = RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals("io.starling.EngineStep")).toList();

        assertThat(steps).isNotEmpty();
        long promptTokens = 0;
        long decodeTokens = 0;
        int widest = 0;
        for (RecordedEvent step : steps) {
            int sequences = step.getInt("sequences");
            int tokens = step.getInt("tokens");
            int prompt = step.getInt("promptTokens");
            assertThat(sequences).isPositive();
            assertThat(tokens).isGreaterThanOrEqualTo(sequences);
            assertThat(prompt).isBetween(0, tokens);
            assertThat(step.getLong("forwardNanos")).isPositive();
            assertThat(step.getLong("afterNanos")).isPositive();
            promptTokens += prompt;
            decodeTokens += tokens - prompt;
            if (prompt == 0) {
                widest = Math.max(widest, sequences);
            }
        }
        // each prompt runs once; each of the three sequences feeds back every token it sampled but its last
        assertThat(promptTokens).isEqualTo(first.length + second.length);
        assertThat(decodeTokens).isEqualTo(3L * (maxTokens - 1));
        assertThat(widest).as("decode steps holding all three sequences").isEqualTo(3);
    }
}
