package io.starling.telemetry;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;

/**
 * The Prometheus names of DESIGN.md §6 that exist so far: requests by endpoint, status, model and version, request
 * duration; and per deployed model version ({@link ModelMeters}, labelled {@code model} and {@code version}):
 * generated tokens, time to first token and inter-token latency (as vLLM exports them), the queue depth and the
 * batch size of every model step, the KV cache's memory and events, and the sessions kept.
 */
@ApplicationScoped
public class StarlingMetrics {

    private final MeterRegistry registry;

    StarlingMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /**
     * One finished HTTP request of an API endpoint (a route template, never a raw path), with the model and version
     * that served it ({@code none} when it never reached one: refused, or an endpoint of no model).
     */
    public void request(String endpoint, int status, String model, String version, long nanos) {
        Counter.builder("starling.requests").description("API requests by endpoint, status, model and version")
                .tag("endpoint", endpoint).tag("status", Integer.toString(status))
                .tag("model", model).tag("version", version).register(registry).increment();
        Timer.builder("starling.request.duration").description("API request duration, streams until their last byte")
                .tag("endpoint", endpoint).tag("model", model).tag("version", version).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(300))
                .register(registry).record(Duration.ofNanos(nanos));
    }

    /** The meters of one deployed model version, removed again by {@link ModelMeters#close} when it is unloaded. */
    public ModelMeters forModel(String model, String version, ModelMeters.Source source) {
        return new ModelMeters(registry, model, version, source);
    }
}
