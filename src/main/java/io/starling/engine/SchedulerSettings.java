package io.starling.engine;

import java.util.Map;

/**
 * How the scheduler shares the engine, from {@code starling.scheduler.*}.
 *
 * @param maxQueueDepth    requests that may wait for the engine; one more is refused (429)
 * @param maxBatchSize     sequences that run together in one step (a request of n holds n of them)
 * @param maxBatchTokens   tokens one step puts through the model: every running sequence's decode token plus prompt
 *                         chunks of new requests up to this budget, so a long prompt never stalls running streams
 * @param requestTimeoutMs a request still queued or generating after this long is aborted and its KV freed
 * @param threads          kernel threads of the matrix multiplications (0 = one per core)
 * @param tenantWeights    round-robin weight per tenant id; absent tenants weigh 1
 * @param batchInvariant   every token computed with the same arithmetic whatever shares its step, so output does
 *                         not depend on load ({@link io.starling.tensor.MatMul#batchInvariant()})
 * @param warmUp           whether the engine warms its model's code while idle ({@link io.starling.model.Warmup})
 */
public record SchedulerSettings(int maxQueueDepth, int maxBatchSize, int maxBatchTokens, long requestTimeoutMs,
                                int threads, Map<String, Integer> tenantWeights, boolean batchInvariant,
                                boolean warmUp) {

    public SchedulerSettings {
        if (maxQueueDepth < 0) {
            throw new IllegalArgumentException("starling.scheduler.max-queue-depth must be >= 0, got " + maxQueueDepth);
        }
        if (maxBatchSize < 1) {
            throw new IllegalArgumentException("starling.scheduler.max-batch-size must be >= 1, got " + maxBatchSize);
        }
        if (maxBatchTokens < maxBatchSize) {
            throw new IllegalArgumentException("starling.scheduler.max-batch-tokens (" + maxBatchTokens
                    + ") must be at least max-batch-size (" + maxBatchSize + "): every running sequence decodes each step");
        }
        if (requestTimeoutMs < 1) {
            throw new IllegalArgumentException("starling.scheduler.request-timeout-ms must be >= 1, got " + requestTimeoutMs);
        }
        if (threads < 0) {
            throw new IllegalArgumentException("starling.scheduler.threads must be >= 0, got " + threads);
        }
        tenantWeights = Map.copyOf(tenantWeights);
        tenantWeights.forEach((tenant, weight) -> {
            if (weight < 1) {
                throw new IllegalArgumentException("starling.scheduler.tenant-weights." + tenant + " must be >= 1, got " + weight);
            }
        });
    }

    int weightOf(String tenant) {
        return tenantWeights.getOrDefault(tenant, 1);
    }

    int kernelThreads() {
        return threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    }
}
