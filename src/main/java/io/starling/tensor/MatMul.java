package io.starling.tensor;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ExecutionException;

/**
 * Multiplies weight matrices with a batch of activation vectors, splitting output rows over a fixed pool.
 *
 * <p>Contract: {@code out[b * rows + r] = dot(W[r], x[b * cols ..])} for every token b of the batch.
 * This first version decodes each weight row once and uses it for every token of the batch; the per-format
 * Vector API kernels replace its inner loop without changing the contract.
 */
public final class MatMul implements AutoCloseable {

    private final int threads;
    private final ExecutorService pool;

    public MatMul(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        this.threads = threads;
        ThreadFactory factory = Thread.ofPlatform().daemon().name("starling-kernel-", 0).factory();
        this.pool = threads == 1 ? null : Executors.newFixedThreadPool(threads, factory);
    }

    public int threads() {
        return threads;
    }

    /** {@code out[b * w.rows() + r] = W[r] · x[b * w.cols() ..]} for b in [0, batch). */
    public void multiply(WeightMatrix w, float[] x, int batch, float[] out) {
        if (x.length < (long) batch * w.cols() || out.length < (long) batch * w.rows()) {
            throw new IllegalArgumentException(w.name() + ": activations or output too short for a batch of " + batch);
        }
        if (pool == null || w.rows() < threads * 4) {
            multiplyRows(w, x, batch, out, 0, w.rows());
            return;
        }
        Future<?>[] parts = new Future<?>[threads - 1];
        int chunk = (w.rows() + threads - 1) / threads;
        for (int t = 1; t < threads; t++) {
            int start = Math.min(w.rows(), t * chunk);
            int end = Math.min(w.rows(), start + chunk);
            parts[t - 1] = pool.submit(() -> multiplyRows(w, x, batch, out, start, end));
        }
        multiplyRows(w, x, batch, out, 0, Math.min(w.rows(), chunk));
        for (Future<?> part : parts) {
            await(part);
        }
    }

    private static void multiplyRows(WeightMatrix w, float[] x, int batch, float[] out, int rowStart, int rowEnd) {
        int cols = w.cols();
        float[] row = new float[cols];
        for (int r = rowStart; r < rowEnd; r++) {
            w.dequantizeRow(r, row, 0);
            for (int b = 0; b < batch; b++) {
                int base = b * cols;
                float sum = 0f;
                for (int k = 0; k < cols; k++) {
                    sum += row[k] * x[base + k];
                }
                out[b * w.rows() + r] = sum;
            }
        }
    }

    private static void await(Future<?> part) {
        try {
            part.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while multiplying", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
