package io.starling.telemetry;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import io.starling.kv.KvCacheStats;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The Prometheus names of DESIGN.md §6 that exist so far: requests by endpoint and status, request duration,
 * generated tokens, time to first token and inter-token latency (as vLLM exports them), the queue depth and the
 * batch size of every model step, the KV cache's memory and events, and the sessions kept.
 */
@ApplicationScoped
public class StarlingMetrics {

    private final MeterRegistry registry;
    private final Counter tokensGenerated;
    private final Timer timeToFirstToken;
    private final Timer interTokenLatency;
    private final DistributionSummary tokensPerSecond;
    private final DistributionSummary batchSize;
    /** Micrometer keeps only weak references to the state of function meters: this one must outlive them. */
    private Supplier<KvCacheStats> kvStats;

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
        Gauge.builder("starling.queue.depth", depth)
                .description("Requests waiting for the engine").tag("model", model).register(registry);
    }

    /**
     * The KV arena's memory ({@code starling_kv_cache_bytes{state}}: allocated from the OS, resident in pages, waiting
     * in the spill file), its event counts, and the sessions kept, all read from {@code stats} when Prometheus
     * scrapes.
     */
    public void kvCache(Supplier<KvCacheStats> stats, IntSupplier openSessions) {
        this.kvStats = stats;
        kvBytes(stats, "allocated", KvCacheStats::allocatedBytes);
        kvBytes(stats, "resident", KvCacheStats::residentBytes);
        kvBytes(stats, "spilled", KvCacheStats::spilledBytes);
        kvCount(stats, "starling.kv.cache.evictions", "Idle KV caches evicted (spilled or dropped) to free memory",
                KvCacheStats::evictions);
        kvCount(stats, "starling.kv.cache.spilled.pages", "KV pages written to the spill file", KvCacheStats::spilledPages);
        kvCount(stats, "starling.kv.cache.restored.pages", "KV pages read back from the spill file with a good checksum",
                KvCacheStats::restoredPages);
        kvCount(stats, "starling.kv.cache.restore.failures",
                "Restores abandoned because a spilled page failed its CRC32C check (that cache was recomputed)",
                KvCacheStats::restoreFailures);
        kvCount(stats, "starling.kv.cache.prefix.hit.pages", "KV pages reused from the prefix cache instead of computed",
                KvCacheStats::prefixHitPages);
        kvCount(stats, "starling.kv.cache.full", "KV page reservations refused because every page was in use",
                KvCacheStats::cacheFullRejections);
        Gauge.builder("starling.sessions.open", openSessions::getAsInt).description("Sessions kept now")
                .register(registry);
    }

    private void kvBytes(Supplier<KvCacheStats> stats, String state, ToDoubleFunction<KvCacheStats> value) {
        Gauge.builder("starling.kv.cache.bytes", stats, s -> value.applyAsDouble(s.get()))
                .description("KV cache memory by state").baseUnit("bytes").tag("state", state).register(registry);
    }

    private void kvCount(Supplier<KvCacheStats> stats, String name, String description,
                         ToDoubleFunction<KvCacheStats> value) {
        FunctionCounter.builder(name, stats, s -> value.applyAsDouble(s.get())).description(description)
                .register(registry);
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
