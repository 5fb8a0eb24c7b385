package io.starling.batch;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The batch API's meters, named like {@code telemetry.StarlingMetrics}': {@code starling_batches{status}} (batches
 * kept, by status), {@code starling_batch_requests_total{result=completed|failed}} and
 * {@code starling_batch_tokens_total{type=prompt|generated}}.
 */
final class BatchMetrics {

    private final Counter completed;
    private final Counter failed;
    private final Counter promptTokens;
    private final Counter generatedTokens;

    BatchMetrics(MeterRegistry registry, Supplier<Map<BatchObject.Status, Long>> byStatus) {
        for (BatchObject.Status status : BatchObject.Status.values()) {
            Gauge.builder("starling.batches", () -> byStatus.get().getOrDefault(status, 0L))
                    .description("Batches of the batch API by status").tag("status", status.wireName()).register(registry);
        }
        completed = requests(registry, "completed");
        failed = requests(registry, "failed");
        promptTokens = tokens(registry, "prompt");
        generatedTokens = tokens(registry, "generated");
    }

    private static Counter requests(MeterRegistry registry, String result) {
        return Counter.builder("starling.batch.requests").description("Requests of batches answered, by result")
                .tag("result", result).register(registry);
    }

    private static Counter tokens(MeterRegistry registry, String type) {
        return Counter.builder("starling.batch.tokens").description("Tokens of batch requests, prompt and generated")
                .tag("type", type).register(registry);
    }

    /** One request of a batch answered. */
    void recorded(boolean succeeded, long prompt, long generated) {
        (succeeded ? completed : failed).increment();
        promptTokens.increment(prompt);
        generatedTokens.increment(generated);
    }
}
