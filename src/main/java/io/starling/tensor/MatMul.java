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
    /** Activation blocks (of 32 values) worth rounding on all threads: sixteen tokens of 2048 columns. */
    private static final int PARALLEL_MIN_BLOCKS = 1024;
    private static final int SPINS = Integer.getInteger("starling.kernel.spins", 1 << 12);
    /** A chunk of rows that threads take in turn holds at least this many multiply-adds ... */
    private static final long CHUNK_MIN_MACS = Long.getLong("starling.kernel.chunkMacs", 1L << 16);
    /** ... and 1/(threads * this) of the rows not yet taken. */
    private static final int CHUNK_SHARE = Integer.getInteger("starling.kernel.chunkShare", 2);

    private final int threads;
    private final Activations activations;
    private final boolean batchInvariant;
    private final Worker[] workers;
    private final float[][] scratch;
    private float[] rounded = new float[0];

    // The current job, published to the workers by the volatile write of generation: up to MAX_GROUP matrices
    // sharing one input, their rows split over the threads as if they were one matrix (one wake-up for Q, K
    // and V together).
    private static final int MAX_GROUP = 4;
    private final WeightMatrix[] jobW = new WeightMatrix[MAX_GROUP];
    private final float[][] jobOuts = new float[MAX_GROUP][];
    private final int[] jobOutOffsets = new int[MAX_GROUP];
    private final int[] jobOutStrides = new int[MAX_GROUP];
    private int jobCount;
    private int jobTotalRows;
    private int jobMinChunkRows;
    /** The first of the job's rows (or range items) that no thread has taken yet. */
    private final AtomicInteger nextItem = new AtomicInteger();
    /** Non-null when the job's kernels take llama.cpp's Q8_0 activations as quants and scales ({@link Q8Kernels}). */
    private Q8Activations jobQ8;
    private final Q8Activations q8 = new Q8Activations();
    /** The activations being rounded by {@link #rounding} (published to the workers by the dispatch). */
    private float[] roundingX;
    private int roundingOffset;
    private final Range rounding = (from, to, part) -> q8.roundBlocks(roundingX, roundingOffset, from, to);
    private final Range transposing = (from, to, part) -> q8.transposeBlocks(from, to);
    private int jobCols;
    private float[] jobX;
    private int jobXOffset;
    private int jobBatch;
    /** Non-null while {@link #parallelFor} runs: the job is this task instead of a matrix product. */
    private Range jobRange;
    private int jobRangeSize;
    private volatile int generation;
    private volatile boolean closed;
    private volatile Throwable failure;
    private volatile Thread caller;
    private final AtomicInteger pending = new AtomicInteger();

    public MatMul(int threads) {
        this(threads, Activations.LLAMA_CPP);
    }

    public MatMul(int threads, Activations activations) {
        this(threads, activations, false);
    }

    /**
     * @param batchInvariant every token of a Q4_0/Q8_0 product runs in the tiles, whatever else is in its batch: a
     *                       token's result is then the same bits alone or batched with any others (deterministic
     *                       output under any load), at the price of the single-token kernel's 5-12% and the token
     *                       lanes' prefill speed (perf/RESULTS.md, "Batch invariance")
     */
    public MatMul(int threads, Activations activations, boolean batchInvariant) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        this.threads = threads;
        this.activations = activations;
        this.batchInvariant = batchInvariant;
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

    /** Whether a token's products are the same bits whatever else is in its batch (see the constructor). */
    public boolean batchInvariant() {
        return batchInvariant;
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
        jobW[0] = w;
        jobOuts[0] = out;
        jobOutOffsets[0] = outOffset;
        jobOutStrides[0] = outStride;
        jobCount = 1;
        run(x, xOffset, batch);
    }

    /**
     * {@code outs[i][b * ws[i].rows() + r] = Ws[i][r] · x[b * cols ..]} for every matrix of the group: matrices
     * that read the same input (Q, K and V; gate and up) in one dispatch, their activations rounded once and
     * their rows split over the threads together. All must have the same columns and block format (otherwise
     * they are multiplied one after the other).
     */
    public synchronized void multiply(WeightMatrix[] ws, float[] x, int batch, float[][] outs) {
        if (ws.length != outs.length || ws.length == 0) {
            throw new IllegalArgumentException("one output per matrix, at least one matrix");
        }
        boolean together = ws.length <= MAX_GROUP;
        for (WeightMatrix w : ws) {
            together &= w.cols() == ws[0].cols() && w.format() == ws[0].format();
        }
        if (!together) {
            for (int i = 0; i < ws.length; i++) {
                multiply(ws[i], x, 0, batch, outs[i], 0, ws[i].rows());
            }
            return;
        }
        for (int i = 0; i < ws.length; i++) {
            WeightMatrix w = ws[i];
            if (batch < 0 || x.length < (long) batch * w.cols() || outs[i].length < (long) batch * w.rows()) {
                throw new IllegalArgumentException(w.name() + ": activations or output too short for a batch of " + batch);
            }
            jobW[i] = w;
            jobOuts[i] = outs[i];
            jobOutOffsets[i] = 0;
            jobOutStrides[i] = w.rows();
        }
        jobCount = ws.length;
        run(x, 0, batch);
    }

    /** A piece of work that {@link #parallelFor} splits over the kernel threads. */
    public interface Range {
        /** Runs items {@code [from, to)}; {@code part} (below {@link #threads()}) names per-thread scratch space. */
        void run(int from, int to, int part);
    }

    /**
     * Runs items {@code [0, n)} of {@code task} on the kernel threads, the caller included, in contiguous ranges
     * that the threads take in turn (several per thread, so no item may rely on which others share its call), and
     * returns when all are done:
     * the model's per-token work between matrix products (attention, activation functions) uses the cores the
     * products use, without a second pool.
     */
    public synchronized void parallelFor(int n, Range task) {
        if (closed) {
            throw new IllegalStateException("MatMul is closed");
        }
        if (n <= 0) {
            return;
        }
        if (workers.length == 0 || n == 1) {
            task.run(0, n, 0);
            return;
        }
        jobRange = task;
        jobRangeSize = n;
        try {
            dispatch();
        } finally {
            jobRange = null;
        }
    }

    /** Runs the job set up in jobW/jobOuts over x: rounds the activations once, then splits the rows. */
    private void run(float[] x, int xOffset, int batch) {
        if (closed) {
            throw new IllegalStateException("MatMul is closed");
        }
        if (batch == 0) {
            java.util.Arrays.fill(jobW, null);
            java.util.Arrays.fill(jobOuts, null);
            return;
        }
        BlockFormat format = jobW[0].format();
        int cols = jobW[0].cols();
        int totalRows = 0;
        for (int i = 0; i < jobCount; i++) {
            totalRows += jobW[i].rows();
        }
        float[] xs = x;
        int xs0 = xOffset;
        jobQ8 = null;
        if (activations == Activations.LLAMA_CPP && Q8Kernels.accepts(format)) {
            quantizeQ8(x, xOffset, batch, cols);
            jobQ8 = q8;
        } else {
            ActivationRounding rounding = activations == Activations.FLOAT ? ActivationRounding.NONE : format.activationRounding();
            if (rounding != ActivationRounding.NONE) {
                int n = batch * cols;
                if (rounded.length < n) {
                    rounded = new float[n];
                }
                rounding.round(x, xOffset, rounded, 0, n);
                xs = rounded;
                xs0 = 0;
            }
        }
        long macs = (long) totalRows * cols * batch;
        int parts = workers.length == 0 || macs < PARALLEL_MIN_MACS ? 1 : Math.min(threads, totalRows);
        jobTotalRows = totalRows;
        jobMinChunkRows = (int) Math.clamp((CHUNK_MIN_MACS / ((long) cols * batch) + 7) & ~7L, 8, 1 << 20);
        jobCols = cols;
        jobX = xs;
        jobXOffset = xs0;
        jobBatch = batch;
        try {
            if (parts == 1) {
                runRows(0, 0, totalRows);
            } else {
                dispatch();
            }
        } finally {
            jobX = null;
            java.util.Arrays.fill(jobW, null);
            java.util.Arrays.fill(jobOuts, null);
        }
    }

    /**
     * Rounds the activations to Q8_0 for the Q4_0/Q8_0 kernels, split over the threads when there are blocks enough to
     * pay for two hand-offs (a prefill's rounding and transposition on the calling thread alone were ~3% of its
     * CPU time, so ~6% of its time at two threads).
     */
    private void quantizeQ8(float[] x, int xOffset, int batch, int cols) {
        q8.prepare(batch, cols, batchInvariant);
        int blocks = batch * cols / 32;
        if (workers.length == 0 || blocks < PARALLEL_MIN_BLOCKS) {
            q8.roundBlocks(x, xOffset, 0, blocks);
            q8.transposeBlocks(0, q8.transposeItems());
            return;
        }
        roundingX = x;
        roundingOffset = xOffset;
        try {
            parallelFor(blocks, rounding);
            parallelFor(q8.transposeItems(), transposing);
        } finally {
            roundingX = null;
        }
    }

    private void dispatch() {
        failure = null;
        caller = Thread.currentThread();
        pending.set(threads - 1);
        nextItem.set(0);
        generation = generation + 1;
        for (Worker worker : workers) {
            LockSupport.unpark(worker.thread);
        }
        Throwable own = null;
        try {
            runShare(0);
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

    /**
     * Thread {@code part}'s share of the job. A product's rows (a range's items) go out in chunks that the threads take
     * in turn until none is left, rather than in equal shares: a thread that starts late or runs slower (a virtual CPU
     * shared with other machines) then does less, instead of holding the others at the end of every product. Chunks
     * shrink as the rows run out (a share of what is left, as OpenMP's guided schedule does), so the last ones are
     * small and the threads finish together. A product's chunks start on multiples of 8 rows and all but the last hold
     * multiples of 8: each splits its rows between the kernels' eight-row panels and the leftovers as one thread
     * running all the rows does, so a product gives the same bits on any number of threads, however the chunks fall.
     */
    private void runShare(int part) {
        Range range = jobRange;
        int total = range != null ? jobRangeSize : jobTotalRows;
        int align = range != null ? 1 : 8;
        int least = range != null ? 1 : jobMinChunkRows;
        int share = threads * CHUNK_SHARE;
        int start;
        while ((start = nextItem.get()) < total) {
            int size = Math.max(least, ((total - start) / share + align - 1) & -align);
            int end = (int) Math.min(total, (long) start + size);
            if (nextItem.compareAndSet(start, end)) {
                if (range != null) {
                    range.run(start, end, part);
                } else {
                    runRows(part, start, end);
                }
            }
        }
    }

    /** Rows [start, end) of the group's rows, taken as one matrix. */
    private void runRows(int part, int start, int end) {
        int base = 0;
        for (int i = 0; i < jobCount && start < end; i++) {
            WeightMatrix w = jobW[i];
            int rows = w.rows();
            int from = Math.max(start, base) - base;
            int to = Math.min(end, base + rows) - base;
            if (from < to) {
                multiplyRows(part, w, jobOuts[i], jobOutOffsets[i], jobOutStrides[i], from, to);
            }
            base += rows;
        }
    }

    private void multiplyRows(int part, WeightMatrix w, float[] out, int outOffset, int outStride, int start, int end) {
        BlockFormat format = w.format();
        float[] s = scratch[part];
        int need = jobQ8 != null ? Q8TokenLanes.scratchSize(jobCols, jobQ8.groups) : jobCols;
        if (s == null || s.length < need) {
            s = new float[need];
            scratch[part] = s;
        }
        if (jobQ8 != null) {
            Q8Kernels.multiplyRows(format, w.data(), w.rowBytes(), jobCols, jobQ8, jobBatch, out, outOffset, outStride, start, end, s);
            return;
        }
        format.multiplyRows(w.data(), w.rowBytes(), jobCols, jobX, jobXOffset, jobBatch, out, outOffset, outStride, start, end, s);
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
                    runShare(part);
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
