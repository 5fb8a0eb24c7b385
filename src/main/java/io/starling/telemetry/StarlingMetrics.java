package io.starling.telemetry;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The Prometheus names of DESIGN.md §6 that exist so far: requests by endpoint and status, request duration,
 * generated tokens, time to first token and inter-token latency (as vLLM exports them), the queue depth and the
 * batch size of every model step. The KV-cache meters come with the KV arena.
 */
@ApplicationScoped
public class StarlingMetrics {

    private final MeterRegistry registry;
    private final Counter tokensGenerated;
    private final Timer timeToFirstToken;
    private final Timer interTokenLatency;
    private final DistributionSummary tokensPerSecond;
    private final DistributionSummary batchSize;

    StarlingMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.tokensGenerated = Counter.builder("starling.tokens.generated")
                .description("Tokens generated over all requests").register(registry);
        this.timeToFirstToken = Timer.builder("starling.time.to.first.token")
                .description("From admission to the first generated token of a sequence")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(60)).register(registry);
        this.interTokenLatency = Timer.builder("starling.inter.token.latency")
                .description("Time between consecutive generated tokens of a sequence")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(10)).register(registry);
        this.tokensPerSecond = DistributionSummary.builder("starling.tokens.per.second")
                .description("Decode speed of each finished sequence").register(registry);
        this.batchSize = DistributionSummary.builder("starling.batch.size")
                .description("Sequences in each model step of the continuous-batching scheduler")
                .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64).register(registry);
    }

    /** One finished HTTP request of an API endpoint (a route template, never a raw path). */
    public void request(String endpoint, int status, long nanos) {
        Counter.builder("starling.requests").description("API requests by endpoint and status")
                .tag("endpoint", endpoint).tag("status", Integer.toString(status)).register(registry).increment();
        Timer.builder("starling.request.duration").description("API request duration, streams until their last byte")
                .tag("endpoint", endpoint).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(300))
                .register(registry).record(Duration.ofNanos(nanos));
    }

    /** The engine's queue depth for {@code model}, read when Prometheus scrapes. */
    public void queueDepth(String model, Supplier<Number> depth) {
        io.micrometer.core.instrument.Gauge.builder("starling.queue.depth", depth)
                .description("Requests waiting for the engine").tag("model", model).register(registry);
    }

    /** One model step of the scheduler ran over {@code sequences} sequences. */
    public void batchSize(int sequences) {
        batchSize.record(sequences);
    }

    public void token(long nanosSincePrevious, boolean first) {
        tokensGenerated.increment();
        (first ? timeToFirstToken : interTokenLatency).record(Duration.ofNanos(nanosSincePrevious));
    }

    public void sequenceFinished(int tokens, long decodeNanos) {
        if (tokens > 1 && decodeNanos > 0) {
            tokensPerSecond.record((tokens - 1) * 1e9 / decodeNanos);
        }
    }
}
