package io.starling.tensor;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Multiplies weight matrices with a batch of activation vectors, splitting output rows over a fixed set of
 * threads: the caller and {@code threads - 1} workers started once, which spin briefly and then park between
 * calls. Nothing is allocated per call once the scratch buffers have grown to the largest matrix seen.
 *
 * <p>Contract: {@code out[b * rows + r] = dot(W[r], x[b * cols ..])} for every token b of the batch. The
 * activations are first rounded as the weight format's {@link BlockFormat#activationRounding()} says (as
 * llama.cpp does; {@link Activations#FLOAT} keeps them exact), once per call, then each format's
 * {@link BlockFormat#multiplyRows kernel} runs over a contiguous range of rows per thread.
 *
 * <p>One MatMul serves one caller at a time ({@code multiply} is synchronized); give each engine thread its own.
 */
public final class MatMul implements AutoCloseable {

    /** What happens to activations before they meet quantized weights. */
    public enum Activations {
        /** Round them to the weight type's llama.cpp vec_dot_type (Q8_0, Q8_K, F16, ...): llama.cpp's numbers. */
        LLAMA_CPP,
        /** Keep them as floats: slightly more exact, slightly different from llama.cpp. */
        FLOAT
    }

    /** Below this many multiply-adds a call runs on the caller alone: waking workers costs more than it saves. */
    private static final long PARALLEL_MIN_MACS = 1L << 17;
    private static final int SPINS = Integer.getInteger("starling.kernel.spins", 1 << 12);

    private final int threads;
    private final Activations activations;
    private final Worker[] workers;
    private final float[][] scratch;
    private float[] rounded = new float[0];

    // The current job, published to the workers by the volatile write of generation.
    private BlockFormat jobFormat;
    private java.lang.foreign.MemorySegment jobData;
    private long jobRowBytes;
    private int jobRows;
    private int jobCols;
    private float[] jobX;
    private int jobXOffset;
    private int jobBatch;
    private float[] jobOut;
    private int jobOutOffset;
    private int jobOutStride;
    private volatile int generation;
    private volatile boolean closed;
    private volatile Throwable failure;
    private volatile Thread caller;
    private final AtomicInteger pending = new AtomicInteger();

    public MatMul(int threads) {
        this(threads, Activations.LLAMA_CPP);
    }

    public MatMul(int threads, Activations activations) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        this.threads = threads;
        this.activations = activations;
        this.scratch = new float[threads][];
        this.workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i + 1);
            workers[i].thread = Thread.ofPlatform().daemon().name("starling-kernel-" + (i + 1)).start(workers[i]);
        }
    }

    public int threads() {
        return threads;
    }

    public Activations activations() {
        return activations;
    }

    /** {@code out[b * w.rows() + r] = W[r] · x[b * w.cols() ..]} for b in [0, batch). */
    public void multiply(WeightMatrix w, float[] x, int batch, float[] out) {
        multiply(w, x, 0, batch, out, 0, w.rows());
    }

    /**
     * {@code out[outOffset + b * outStride + r] = W[r] · x[xOffset + b * w.cols() ..]} for b in [0, batch) and
     * every row r: writes into a slice of a larger buffer (a fused QKV output, say) without a copy.
     * {@code outStride} must be at least {@code w.rows()}.
     */
    public synchronized void multiply(WeightMatrix w, float[] x, int xOffset, int batch, float[] out, int outOffset, int outStride) {
        int rows = w.rows();
        int cols = w.cols();
        if (batch < 0 || xOffset < 0 || outOffset < 0 || outStride < rows
                || x.length < xOffset + (long) batch * cols
                || (batch > 0 && out.length < outOffset + (long) (batch - 1) * outStride + rows)) {
            throw new IllegalArgumentException(w.name() + ": activations or output too short for a batch of " + batch);
        }
        if (closed) {
            throw new IllegalStateException("MatMul is closed");
        }
        if (batch == 0) {
            return;
        }
        BlockFormat format = w.format();
        ActivationRounding rounding = activations == Activations.FLOAT ? ActivationRounding.NONE : format.activationRounding();
        float[] xs = x;
        int xs0 = xOffset;
        if (rounding != ActivationRounding.NONE) {
            int n = batch * cols;
            if (rounded.length < n) {
                rounded = new float[n];
            }
            rounding.round(x, xOffset, rounded, 0, n);
            xs = rounded;
            xs0 = 0;
        }
        long macs = (long) rows * cols * batch;
        int parts = workers.length == 0 || macs < PARALLEL_MIN_MACS ? 1 : Math.min(threads, rows);
        jobFormat = format;
        jobData = w.data();
        jobRowBytes = w.rowBytes();
        jobRows = rows;
        jobCols = cols;
        jobX = xs;
        jobXOffset = xs0;
        jobBatch = batch;
        jobOut = out;
        jobOutOffset = outOffset;
        jobOutStride = outStride;
        if (parts == 1) {
            runPart(0, 1);
        } else {
            failure = null;
            caller = Thread.currentThread();
            pending.set(threads - 1);
            generation = generation + 1;
            for (Worker worker : workers) {
                LockSupport.unpark(worker.thread);
            }
            Throwable own = null;
            try {
                runPart(0, threads);
            } catch (Throwable t) {
                own = t;
            }
            int spins = 0;
            while (pending.get() != 0) {
                if (++spins < SPINS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            Throwable t = own != null ? own : failure;
            if (t != null) {
                if (t instanceof RuntimeException r) {
                    throw r;
                }
                if (t instanceof Error e) {
                    throw e;
                }
                throw new IllegalStateException(t);
            }
        }
        jobX = null;
        jobOut = null;
        jobData = null;
    }

    private void runPart(int part, int parts) {
        int rows = jobRows;
        int start = (int) ((long) rows * part / parts);
        int end = (int) ((long) rows * (part + 1) / parts);
        if (start >= end) {
            return;
        }
        float[] s = scratch[part];
        if (s == null || s.length < jobCols) {
            s = new float[jobCols];
            scratch[part] = s;
        }
        jobFormat.multiplyRows(jobData, jobRowBytes, jobCols, jobX, jobXOffset, jobBatch, jobOut, jobOutOffset,
                jobOutStride, start, end, s);
    }

    private final class Worker implements Runnable {
        private final int part;
        private Thread thread;

        Worker(int part) {
            this.part = part;
        }

        @Override
        public void run() {
            int seen = 0;
            while (true) {
                int spins = 0;
                int g;
                while ((g = generation) == seen) {
                    if (closed) {
                        return;
                    }
                    if (++spins < SPINS) {
                        Thread.onSpinWait();
                    } else {
                        LockSupport.park(MatMul.this);
                    }
                }
                seen = g;
                if (closed) {
                    return;
                }
                try {
                    runPart(part, threads);
                } catch (Throwable t) {
                    failure = t;
                }
                if (pending.decrementAndGet() == 0) {
                    LockSupport.unpark(caller);
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Worker worker : workers) {
            LockSupport.unpark(worker.thread);
        }
    }
}
