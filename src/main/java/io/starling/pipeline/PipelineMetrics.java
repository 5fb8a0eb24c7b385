package io.starling.pipeline;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * The pipelines' meters: {@code starling_pipeline_cache_requests_total{pipeline,stage,result=hit|miss}} (one per
 * input looked up) and {@code starling_pipeline_stage_duration_seconds{pipeline,stage}} (one per stage run of a
 * request, all its inputs together, cache lookups included).
 */
public final class PipelineMetrics {

    private final MeterRegistry registry;

    public PipelineMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void cache(String pipeline, String stage, boolean hit) {
        Counter.builder("starling.pipeline.cache.requests")
                .description("Pipeline stage result cache lookups, one per input")
                .tag("pipeline", pipeline).tag("stage", stage).tag("result", hit ? "hit" : "miss")
                .register(registry).increment();
    }

    void stage(String pipeline, String stage, long nanos) {
        Timer.builder("starling.pipeline.stage.duration")
                .description("Time of one pipeline stage over all inputs of a request")
                .tag("pipeline", pipeline).tag("stage", stage).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(300))
                .register(registry).record(Duration.ofNanos(nanos));
    }
}
