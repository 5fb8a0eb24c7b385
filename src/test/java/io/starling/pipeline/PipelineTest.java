package io.starling.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;
import io.starling.engine.EngineMetrics;
import io.starling.engine.GenerationEvent;
import io.starling.engine.GenerationRequest;
import io.starling.engine.KvSettings;
import io.starling.engine.ModelText;
import io.starling.engine.Scheduler;
import io.starling.engine.SchedulerSettings;
import io.starling.gguf.GgufFile;
import io.starling.kv.KvDtype;
import io.starling.model.ModelShape;
import io.starling.registry.EmbeddedModel;
import io.starling.registry.ServedModel;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pipelines on the embedded stories260K model's scheduler, with the engine calls recorded. */
class PipelineTest {

    @TempDir
    static Path dir;
    static GgufFile file;
    static ModelText.Text text;
    static Scheduler scheduler;

    @BeforeAll
    static void start() throws IOException {
        Path path = EmbeddedModel.extractTo(dir);
        file = GgufFile.open(path);
        text = ModelText.of(new ServedModel(EmbeddedModel.NAME, path, file, ModelShape.of(file)));
        KvSettings kv = KvSettings.ofMegabytes(16, 16, KvDtype.F16, Optional.empty(), 0, 0, Duration.ofMinutes(1));
        scheduler = new Scheduler(text, new SchedulerSettings(64, 8, 64, 60_000, 1, Map.of(), false, false),
                kv.cachesFor(text.model().shape(), text.contextLength()), EngineMetrics.NONE);
    }

    @AfterAll
    static void stop() {
        scheduler.close();
        file.close();
    }

    /** The scheduler, counting what each stage hands it per call. */
    static final class Recording implements PipelineEngine {
        final String version;
        final List<Integer> generateCalls = new ArrayList<>();
        final List<Integer> embedCalls = new ArrayList<>();

        Recording(String version) {
            this.version = version;
        }

        @Override
        public ModelText.Text text() {
            return text;
        }

        @Override
        public String modelName() {
            return EmbeddedModel.NAME;
        }

        @Override
        public String modelVersion() {
            return version;
        }

        @Override
        public Uni<List<List<GenerationEvent>>> generateAll(List<GenerationRequest> jobs) {
            generateCalls.add(jobs.size());
            return Uni.join().all(jobs.stream().map(job -> scheduler.submit(job).collect().asList()).toList()).andFailFast();
        }

        @Override
        public Uni<List<float[]>> embedAll(List<int[]> inputs) {
            embedCalls.add(inputs.size());
            return Uni.join().all(inputs.stream().map(ids -> scheduler.embed(ids, GenerationRequest.ANONYMOUS)).toList())
                    .andFailFast();
        }
    }

    private static Pipelines pipelines(Map<String, String> keys, long cacheBytes) {
        return new Pipelines(PipelineConfig.parse(keys, Map.of()), new StageCache(cacheBytes),
                new PipelineMetrics(new SimpleMeterRegistry()), PredictionListener.NONE, StageTracer.NONE);
    }

    private static PipelineResult run(Pipelines pipelines, String name, PipelineEngine engine, String... inputs) {
        PipelineRequest request = new PipelineRequest(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode()
                .addAll(java.util.Arrays.stream(inputs).map(com.fasterxml.jackson.databind.node.TextNode::valueOf).toList()), null);
        return pipelines.run(pipelines.get(name), request, engine).await().atMost(Duration.ofMinutes(1));
    }

    @Test
    void aStageHandsAllItsJobsToTheEngineAtOnceAndTheCacheAnswersRepeats() {
        Pipelines pipelines = pipelines(Map.of(
                "starling.pipelines.mood.stages", "embed,classify",
                "starling.pipelines.mood.classify.labels", "happy,sad"), 1 << 20);
        Recording engine = new Recording("stories@1");
        PipelineResult first = run(pipelines, "mood", engine, "Lily smiled.", "Tom cried.", "Lily smiled.");
        // embed: two distinct inputs in one call; classify: 2 distinct inputs x 2 labels in one call
        assertThat(engine.embedCalls).containsExactly(2);
        assertThat(engine.generateCalls).containsExactly(4);
        assertThat(first.data().get(2).label()).isEqualTo(first.data().get(0).label());
        assertThat(first.data().get(2).usage().promptTokens()).isZero(); // counted once, at its first input
        assertThat(first.data().get(0).usage().promptTokens()).isPositive();

        PipelineResult again = run(pipelines, "mood", engine, "Tom cried.", "Lily smiled.");
        assertThat(engine.embedCalls).hasSize(1);
        assertThat(engine.generateCalls).hasSize(1);
        assertThat(again.data().get(0).confidence()).isEqualTo(first.data().get(1).confidence());
        assertThat(again.usage().totalTokens()).isZero();

        // another model version never shares results
        Recording other = new Recording("stories@2");
        run(pipelines, "mood", other, "Tom cried.");
        assertThat(other.generateCalls).containsExactly(2);
    }

    @Test
    void theCacheStaysWithinItsBound() {
        StageCache cache = new StageCache(4_000);
        PipelineSpec spec = PipelineConfig.parse(Map.of("starling.pipelines.t.stages", "tokenize"), Map.of()).get("t");
        for (int i = 0; i < 100; i++) {
            Carry carry = Carry.of("input " + i);
            cache.put(StageCache.key("m@1", spec, 0, carry), StageResult.of(new StageOutputs.Tokens(new int[16], 16)));
        }
        assertThat(cache.size()).isBetween(1L, 20L);
        assertThat(StageCache.key("m@1", spec, 0, Carry.of("x"))).isNotEqualTo(StageCache.key("m@2", spec, 0, Carry.of("x")))
                .isNotEqualTo(StageCache.key("m@1", spec, 1, Carry.of("x")))
                .isEqualTo(StageCache.key("m@1", spec, 0, Carry.of("x")));
    }
}
