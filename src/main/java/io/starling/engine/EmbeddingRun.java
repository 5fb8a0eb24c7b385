package io.starling.engine;

import io.starling.model.LlamaModel;
import java.util.concurrent.CompletableFuture;

/** A queued embedding: one forward pass of its own on the loop thread, between batched steps. */
final class EmbeddingRun implements QueuedWork {

    private final int[] tokens;
    private final String tenant;
    private final long deadlineNanos;
    private final Priority priority;
    final CompletableFuture<float[]> result = new CompletableFuture<>();

    EmbeddingRun(int[] tokens, String tenant, long deadlineNanos, Priority priority) {
        this.tokens = tokens.clone();
        this.tenant = tenant;
        this.deadlineNanos = deadlineNanos;
        this.priority = priority;
    }

    void run(LlamaModel model) {
        try {
            result.complete(model.embed(tokens));
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
        }
    }

    @Override
    public String tenant() {
        return tenant;
    }

    @Override
    public Priority priority() {
        return priority;
    }

    @Override
    public int slots() {
        return 0;
    }

    @Override
    public boolean cancelled() {
        return result.isCancelled();
    }

    @Override
    public boolean expired(long nowNanos) {
        return nowNanos > deadlineNanos;
    }

    @Override
    public void fail(Throwable error) {
        result.completeExceptionally(error);
    }

    @Override
    public void abandon() {
        result.cancel(false);
    }
}
