package io.starling.telemetry;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.starling.engine.EngineMetrics;
import io.starling.kv.KvCacheStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The meters of one model version, every one labelled {@code model} and {@code version} so a canary is judged
 * beside the version it may replace: what its scheduler reports ({@link EngineMetrics}, called on its loop thread)
 * and gauges read from its engine when Prometheus scrapes. Closing removes them all, so an unloaded version leaves
 * no stale series.
 */
public final class ModelMeters implements EngineMetrics, AutoCloseable {

    /** What the gauges read; the registry keeps it strongly referenced while the meters exist. */
    public interface Source {
        int queueDepth();

        long queueRefusals();

        KvCacheStats kvStats();

        int openSessions();
    }

    private final MeterRegistry registry;
    private final List<Meter> meters = new ArrayList<>();
    private final Counter tokensGenerated;
    private final Timer timeToFirstToken;
    private final Timer interTokenLatency;
    private final DistributionSummary tokensPerSecond;
    private final DistributionSummary batchSize;
    /** Micrometer keeps only weak references to the state of function meters: this one must outlive them. */
    private final Source source;

    ModelMeters(MeterRegistry registry, String model, String version, Source source) {
        this.registry = registry;
        this.source = source;
        Tags tags = Tags.of("model", model, "version", version);
        this.tokensGenerated = add(Counter.builder("starling.tokens.generated")
                .description("Tokens generated over all requests").tags(tags).register(registry));
        this.timeToFirstToken = add(Timer.builder("starling.time.to.first.token")
                .description("From admission to the first generated token of a sequence").tags(tags)
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(60)).register(registry));
        this.interTokenLatency = add(Timer.builder("starling.inter.token.latency")
                .description("Time between consecutive generated tokens of a sequence").tags(tags)
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(10)).register(registry));
        this.tokensPerSecond = add(DistributionSummary.builder("starling.tokens.per.second")
                .description("Decode speed of each finished sequence").tags(tags).register(registry));
        this.batchSize = add(DistributionSummary.builder("starling.batch.size")
                .description("Sequences in each model step of the continuous-batching scheduler").tags(tags)
                .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64).register(registry));
        add(Gauge.builder("starling.queue.depth", source, Source::queueDepth)
                .description("Requests waiting for the engine").tags(tags).register(registry));
        add(FunctionCounter.builder("starling.queue.rejected", source, Source::queueRefusals)
                .description("Requests refused (429) because the engine queue was full").tags(tags).register(registry));
        add(Gauge.builder("starling.sessions.open", source, Source::openSessions).description("Sessions kept now")
                .tags(tags).register(registry));
        kvBytes(tags, "allocated", KvCacheStats::allocatedBytes);
        kvBytes(tags, "resident", KvCacheStats::residentBytes);
        kvBytes(tags, "spilled", KvCacheStats::spilledBytes);
        kvCount(tags, "starling.kv.cache.evictions", "Idle KV caches evicted (spilled or dropped) to free memory",
                KvCacheStats::evictions);
        kvCount(tags, "starling.kv.cache.spilled.pages", "KV pages written to the spill file", KvCacheStats::spilledPages);
        kvCount(tags, "starling.kv.cache.restored.pages", "KV pages read back from the spill file with a good checksum",
                KvCacheStats::restoredPages);
        kvCount(tags, "starling.kv.cache.restore.failures",
                "Spilled caches lost because a page could not be written, failed its CRC32C check or could not be read"
                        + " back (that cache was recomputed)",
                KvCacheStats::restoreFailures);
        kvCount(tags, "starling.kv.cache.prefix.hit.pages", "KV pages reused from the prefix cache instead of computed",
                KvCacheStats::prefixHitPages);
        kvCount(tags, "starling.kv.cache.full", "KV page reservations refused because every page was in use",
                KvCacheStats::cacheFullRejections);
    }

    private <M extends Meter> M add(M meter) {
        meters.add(meter);
        return meter;
    }

    /** {@code starling_kv_cache_bytes{state}}: allocated from the OS, resident in pages, waiting in the spill file. */
    private void kvBytes(Tags tags, String state, ToDoubleFunction<KvCacheStats> value) {
        add(Gauge.builder("starling.kv.cache.bytes", source, s -> value.applyAsDouble(s.kvStats()))
                .description("KV cache memory by state").baseUnit("bytes").tags(tags).tag("state", state)
                .register(registry));
    }

    private void kvCount(Tags tags, String name, String description, ToDoubleFunction<KvCacheStats> value) {
        add(FunctionCounter.builder(name, source, s -> value.applyAsDouble(s.kvStats())).description(description)
                .tags(tags).register(registry));
    }

    @Override
    public void step(int sequences, int tokens) {
        batchSize.record(sequences);
    }

    @Override
    public void token(long nanosSincePrevious, boolean first) {
        tokensGenerated.increment();
        (first ? timeToFirstToken : interTokenLatency).record(Duration.ofNanos(nanosSincePrevious));
    }

    @Override
    public void sequenceFinished(int tokens, long decodeNanos) {
        if (tokens > 1 && decodeNanos > 0) {
            tokensPerSecond.record((tokens - 1) * 1e9 / decodeNanos);
        }
    }

    @Override
    public void close() {
        meters.forEach(registry::remove);
    }
}
