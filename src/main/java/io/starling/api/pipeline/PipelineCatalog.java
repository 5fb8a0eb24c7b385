package io.starling.api.pipeline;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import io.starling.config.PipelineKeys;
import io.starling.config.StarlingConfig;
import io.starling.pipeline.PipelineConfig;
import io.starling.pipeline.PipelineMetrics;
import io.starling.pipeline.Pipelines;
import io.starling.pipeline.StageCache;
import io.starling.pipeline.StageTracer;
import io.starling.telemetry.PredictionMonitor;
import io.starling.telemetry.Spans;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The server's pipelines, read from {@code starling.pipelines.*} at startup: SmallRye Config resolves each key
 * (env vars override {@code config/application.properties}), {@link PipelineConfig} checks them the way
 * {@code starling batch} does, and a bad definition stops the server with a message naming the key. Every prediction
 * a pipeline serves goes to the {@link PredictionMonitor} (confidence histogram and drift), and each stage of a run
 * is a span of the request's trace ({@link Spans}).
 */
@Startup
@ApplicationScoped
public class PipelineCatalog {

    private final Pipelines pipelines;

    PipelineCatalog(StarlingConfig config, MeterRegistry registry, PredictionMonitor predictions, Spans spans) {
        this.pipelines = new Pipelines(PipelineConfig.parse(flatten(config.pipelines()), Map.of()),
                new StageCache(config.pipelineCache().maxMb() << 20), new PipelineMetrics(registry), predictions::record,
                new StageTracer() {
                    @Override
                    public <T> Uni<T> stage(String pipeline, String stage, Supplier<Uni<T>> work) {
                        return spans.stageAsync(pipeline, stage, work);
                    }
                });
    }

    public Pipelines pipelines() {
        return pipelines;
    }

    /** The mapped keys back to {@code starling.pipelines.<name>.<key>} = value, the form PipelineConfig reads. */
    static Map<String, String> flatten(Map<String, PipelineKeys> pipelines) {
        Map<String, String> flat = new TreeMap<>();
        pipelines.forEach((name, keys) -> {
            Keys put = new Keys(flat, PipelineConfig.PREFIX + name + ".");
            put.key("model", keys.model());
            put.key("stages", keys.stages());
            put.key("classify.labels", keys.classify().labels());
            put.key("classify.method", keys.classify().method());
            put.key("classify.template", keys.classify().template());
            put.key("classify.temperature", keys.classify().temperature());
            put.key("generate.template", keys.generate().template());
            put.key("generate.max-tokens", keys.generate().maxTokens());
            put.key("generate.temperature", keys.generate().temperature());
            put.key("generate.top-p", keys.generate().topP());
            put.key("generate.seed", keys.generate().seed());
            put.key("generate.stop", keys.generate().stop());
            put.key("extract.json-field", keys.extract().jsonField());
            put.key("extract.regex", keys.extract().regex());
            put.key("extract.group", keys.extract().group());
            put.key("postprocess.min-confidence", keys.postprocess().minConfidence());
            put.key("postprocess.fallback-label", keys.postprocess().fallbackLabel());
            put.key("postprocess.rename", keys.postprocess().rename());
        });
        return flat;
    }

    private record Keys(Map<String, String> flat, String prefix) {
        void key(String key, Optional<String> value) {
            value.ifPresent(v -> flat.put(prefix + key, v));
        }
    }
}
