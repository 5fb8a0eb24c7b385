package io.starling.model;

import io.starling.tensor.GgmlDot;
import io.starling.tensor.MatMul;
import io.starling.tensor.VectorExp;
import io.starling.tensor.Vectors;

/**
 * Scaled dot-product attention of a run of query tokens over one sequence's KV cache, causal (a token sees its own
 * position and the ones before), with grouped-query heads: query head h reads key/value head {@code h / group}.
 *
 * <p>The arithmetic is llama.cpp's non-flash CPU path with its default F16 cache, operation for operation, because
 * on small models anything else moves logprobs by more than 1e-3:
 * <ul>
 *   <li>llama.cpp attends over {@code n_kv} cells, the used cells padded to a multiple of 32; the padding is
 *       masked (weight 0) but decides how the softmax and the weighted sum group their terms, so we pad too.</li>
 *   <li>KQ = mul_mat(K, Q): Q is rounded to F16; each score is a {@link GgmlDot} F16 dot over the head, by
 *       tinyBLAS when the ubatch has two or more tokens and the head size is a multiple of 16, else by
 *       ggml_vec_dot_f16 (a head of 8 or 16 is all "leftovers", summed in double).</li>
 *   <li>soft_max_ext: score * scale, masked to -inf, exponentials by ggml_v_expf 16 at a time with each group's
 *       tree sum added to a double total, then multiplied by the float of 1 / total.</li>
 *   <li>KQV = mul_mat(V^T, softmax): the weights are rounded to F16 and each output is an F16 dot over the
 *       {@code n_kv} cells, again tinyBLAS for two or more tokens, ggml_vec_dot_f16 for one.</li>
 * </ul>
 * The (token, head) pairs of a run are independent: {@link #attend} spreads them over the kernel threads, each with
 * its own query and weight scratch; the keys and the transposed values are gathered once per call. One call at a
 * time.
 */
final class CausalAttention {

    /** llama.cpp pads the attended KV cells to this multiple when flash attention is off. */
    static final int KV_PAD = 32;

    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final int group;
    private final int queryDim;
    private final int kvDim;
    private final float scale;
    private final MatMul pool;
    private final Scratch[] scratch;
    private final MatMul.Range pairs = this::attendPairs;
    private final MatMul.Range decodes = this::attendDecodes;
    private final MatMul.Range loneGather = this::gatherLone;
    private final MatMul.Range loneHeads = this::attendLoneHeads;
    /** The keys and transposed values of the run being attended by all threads. */
    private final Gathered shared = new Gathered();

    /**
     * Decode tokens a step can hold before the arrays below grow. Room for more sequences than a server batches by
     * default (16) and than the warm-up runs (8): a growth first met under load is a branch the compiled layer never
     * saw, which deoptimizes {@code LlamaModel.attentionBlock} and recompiles it (15 MB of compiler arena) mid-load.
     */
    private static final int DECODE_ROOM = 64;
    // a step's decode tokens (one per sequence), attended one sequence per thread at a time (see attendDecodes)
    private KvStore[] decodeKv = new KvStore[DECODE_ROOM];
    private int[] decodePosition = new int[DECODE_ROOM];
    private int[] decodeQOffset = new int[DECODE_ROOM];
    private int[] decodeOutOffset = new int[DECODE_ROOM];
    private int decodeCount;
    private int decodeLayer;

    /** A lone decode token seeing at least this many positions has its gather split over the kernel threads too. */
    static final int SPLIT_GATHER = 256;
    /** Positions per item of a split gather. */
    private static final int GATHER_POSITIONS = 64;

    // the run being attended, for the pool's threads (published by the pool's dispatch)
    private int runFirstPosition;
    private float[] runQ;
    private int runQOffset;
    private float[] runOut;
    private int runOutOffset;
    private boolean runTinyScores;
    private boolean runTinyValues;

    /** What one thread needs for one (token, head) pair, and its own gathered cache for whole decode tokens. */
    private final class Scratch {
        final float[] query = new float[headDim];
        final float[] lanes = GgmlDot.newLanes();
        float[] weights = new float[0];
        /** {@link GgmlDot#vecDotF16Columns}'s scratch, and a float vector's lanes widened. */
        float[] columns = new float[GgmlDot.columnsScratch(headDim)];
        final double[] wide = new double[Vectors.floatLanes()];
        final Gathered own = new Gathered();

        void fit(int cells) {
            if (weights.length < cells) {
                weights = new float[Math.max(cells, 2 * weights.length)];
            }
            if (columns.length < GgmlDot.columnsScratch(cells)) {
                columns = new float[GgmlDot.columnsScratch(weights.length)];
            }
        }
    }

    /**
     * One sequence's cache over {@code cells} padded cells, in the layouts its dot products read: for a run of
     * tokens ({@link #read}) the keys as they are and the values transposed, one output dimension's cells in a row;
     * for a decode token ({@link #readForDecode}) the keys transposed, a dimension's positions in a row, and the
     * values as they are, so that vector lanes hold positions for the scores and dimensions for the output.
     */
    private final class Gathered {
        float[] keys = new float[0];
        float[] valueRows = new float[0];
        /** Transposed values ({@link #read}) or keys ({@link #readForDecode}): cell j of dimension c at c * cells + j. */
        float[] byDim = new float[0];
        int cells;

        private void fit(int visibleEnd) {
            cells = paddedCells(visibleEnd);
            int held = keys.length / kvDim;
            if (held < cells) {
                int grown = Math.max(cells, 2 * held);
                keys = new float[grown * kvDim];
                valueRows = new float[grown * kvDim];
                byDim = new float[grown * kvDim];
            }
        }

        void read(KvStore kv, int layer, int visibleEnd) {
            fit(visibleEnd);
            kv.readKeys(layer, 0, visibleEnd, keys, 0);
            // the value cache transposed (llama.cpp keeps V transposed without flash attention), zero past the used
            // cells
            kv.readValues(layer, 0, visibleEnd, valueRows, 0);
            transpose(valueRows, 0, visibleEnd);
            for (int c = 0; c < kvDim; c++) {
                java.util.Arrays.fill(byDim, c * cells + visibleEnd, (c + 1) * cells, 0f);
            }
        }

        void readForDecode(KvStore kv, int layer, int visibleEnd) {
            fit(visibleEnd);
            readForDecode(kv, layer, 0, visibleEnd);
            padForDecode(visibleEnd);
        }

        /** Positions [from, to) of {@link #readForDecode(KvStore, int, int)}, once {@link #fit} has made room. */
        void readForDecode(KvStore kv, int layer, int from, int to) {
            kv.readKeys(layer, from, to, keys, from * kvDim);
            transpose(keys, from, to);
            kv.readValues(layer, from, to, valueRows, from * kvDim);
        }

        /** The padding cells weigh 0 and hold 0, as llama.cpp's masked cells do. */
        void padForDecode(int visibleEnd) {
            java.util.Arrays.fill(valueRows, visibleEnd * kvDim, cells * kvDim, 0f);
        }

        private void transpose(float[] rows, int from, int to) {
            for (int c = 0; c < kvDim; c++) {
                int base = c * cells;
                for (int j = from; j < to; j++) {
                    byDim[base + j] = rows[j * kvDim + c];
                }
            }
        }
    }

    CausalAttention(ModelShape shape, MatMul pool) {
        this.heads = shape.heads();
        this.kvHeads = shape.kvHeads();
        this.headDim = shape.headDim();
        this.group = shape.groupSize();
        this.queryDim = shape.queryDim();
        this.kvDim = shape.kvDim();
        // llama.cpp's kq_scale = 1.0f/sqrtf(float(n_embd_head)), in float
        this.scale = 1f / (float) Math.sqrt(headDim);
        this.pool = pool;
        this.scratch = new Scratch[pool.threads()];
        for (int i = 0; i < scratch.length; i++) {
            scratch[i] = new Scratch();
        }
    }

    /** The key/value head that query head {@code head} reads. */
    int kvHeadOf(int head) {
        return head / group;
    }

    /** How many cells llama.cpp attends over when the highest used position is {@code visibleEnd - 1}. */
    static int paddedCells(int visibleEnd) {
        return (visibleEnd + KV_PAD - 1) / KV_PAD * KV_PAD;
    }

    /**
     * Attends the {@code count} query tokens at positions {@code firstPosition ..} (their rotated queries at
     * {@code q[qOffset ..]}, {@link ModelShape#queryDim()} floats per token) over positions
     * {@code [0, firstPosition + count)} of {@code kv}'s {@code layer}, writing the concatenated head outputs to
     * {@code out[outOffset ..]} in the same layout.
     */
    void attend(KvStore kv, int layer, int firstPosition, int count, float[] q, int qOffset, float[] out, int outOffset) {
        int visibleEnd = firstPosition + count;
        shared.read(kv, layer, visibleEnd);
        int cells = shared.cells;
        // llamafile_sgemm serves prompt batches (two or more tokens) whose inner dimension is a multiple of 16
        // and whose row count is a multiple of 4 (cells always are)
        runTinyScores = GgmlDot.usesTinyBlas(count, headDim);
        runTinyValues = GgmlDot.usesTinyBlas(count, cells) && headDim % 4 == 0;
        runFirstPosition = firstPosition;
        runQ = q;
        runQOffset = qOffset;
        runOut = out;
        runOutOffset = outOffset;
        try {
            pool.parallelFor(count * heads, pairs);
        } finally {
            runQ = null;
            runOut = null;
        }
    }

    /** Starts collecting a step's single decode tokens of {@code layer} for {@link #attendDecodes(float[], float[])}. */
    void beginDecodes(int layer) {
        decodeLayer = layer;
        decodeCount = 0;
    }

    /** Adds a sequence whose one query token is at {@code position} (query at {@code qOffset}, output at {@code outOffset}). */
    void addDecode(KvStore kv, int position, int qOffset, int outOffset) {
        if (decodeCount == decodeKv.length) {
            int size = 2 * decodeCount;
            decodeKv = java.util.Arrays.copyOf(decodeKv, size);
            decodePosition = java.util.Arrays.copyOf(decodePosition, size);
            decodeQOffset = java.util.Arrays.copyOf(decodeQOffset, size);
            decodeOutOffset = java.util.Arrays.copyOf(decodeOutOffset, size);
        }
        decodeKv[decodeCount] = kv;
        decodePosition[decodeCount] = position;
        decodeQOffset[decodeCount] = qOffset;
        decodeOutOffset[decodeCount] = outOffset;
        decodeCount++;
    }

    /**
     * Attends the collected decode tokens: each thread takes whole sequences, gathers each one's cache into its own
     * buffers and runs all its heads. One hand-off per layer, the gathers on every thread (per sequence, the
     * caller gathered alone and then handed the heads out: 176 hand-offs a step for eight sequences). A lone token
     * splits its heads instead ({@link #attendLoneDecode}). The same arithmetic per (token, head) as {@link #attend}.
     */
    void attendDecodes(float[] q, float[] out) {
        runQ = q;
        runOut = out;
        try {
            if (decodeCount == 1 && pool.threads() > 1) {
                attendLoneDecode();
            } else {
                pool.parallelFor(decodeCount, decodes);
            }
        } finally {
            java.util.Arrays.fill(decodeKv, 0, decodeCount, null);
            runQ = null;
            runOut = null;
        }
    }

    /** Decode sequences [from, to) of the current {@link #attendDecodes}. */
    private void attendDecodes(int from, int to, int part) {
        Scratch s = scratch[part];
        Gathered g = s.own;
        for (int r = from; r < to; r++) {
            int position = decodePosition[r];
            g.readForDecode(decodeKv[r], decodeLayer, position + 1);
            s.fit(g.cells);
            for (int h = 0; h < heads; h++) {
                attendDecodeHead(s, g, position + 1, h, decodeQOffset[r] + h * headDim, decodeOutOffset[r] + h * headDim);
            }
        }
    }

    /**
     * A step's only decode token (one conversation): its heads split over the threads, and from
     * {@link #SPLIT_GATHER} positions on its gather too, into the shared buffers. Whole sequences per thread would
     * leave all threads but one idle; {@link #attend}'s run of one scored position by position (a 64-long dot each),
     * where the column kernel gives the same bits with vector lanes over positions.
     */
    private void attendLoneDecode() {
        int visibleEnd = decodePosition[0] + 1;
        if (visibleEnd >= SPLIT_GATHER) {
            shared.fit(visibleEnd);
            pool.parallelFor((visibleEnd + GATHER_POSITIONS - 1) / GATHER_POSITIONS, loneGather);
            shared.padForDecode(visibleEnd);
        } else {
            shared.readForDecode(decodeKv[0], decodeLayer, visibleEnd);
        }
        pool.parallelFor(heads, loneHeads);
    }

    /** Position blocks [from, to) of the lone decode token's gather. */
    private void gatherLone(int from, int to, int part) {
        int end = decodePosition[0] + 1;
        shared.readForDecode(decodeKv[0], decodeLayer, from * GATHER_POSITIONS, Math.min(end, to * GATHER_POSITIONS));
    }

    /** Heads [from, to) of the lone decode token. */
    private void attendLoneHeads(int from, int to, int part) {
        Scratch s = scratch[part];
        s.fit(shared.cells);
        int visible = decodePosition[0] + 1;
        for (int h = from; h < to; h++) {
            attendDecodeHead(s, shared, visible, h, decodeQOffset[0] + h * headDim, decodeOutOffset[0] + h * headDim);
        }
    }

    /** (token, head) pairs [from, to) of the current run, pair i being token i / heads and head i % heads. */
    private void attendPairs(int from, int to, int part) {
        Scratch s = scratch[part];
        s.fit(shared.cells);
        for (int i = from; i < to; i++) {
            int t = i / heads;
            int h = i % heads;
            attendHead(s, shared, runFirstPosition + t + 1, h, runQOffset + t * queryDim + h * headDim,
                    runOutOffset + t * queryDim + h * headDim, runTinyScores, runTinyValues);
        }
    }

    /** Head {@code h} of one query token (at runQ[qBase ..]) seeing {@code visible} positions of {@code g}. */
    private void attendHead(Scratch s, Gathered g, int visible, int h, int qBase, int outBase, boolean tinyScores,
                            boolean tinyValues) {
        int cells = g.cells;
        int kvHead = kvHeadOf(h);
        roundQuery(s, qBase);
        scores(s, g.keys, visible, cells, kvHead * headDim, tinyScores);
        softmaxToF16(s, cells);
        for (int d = 0; d < headDim; d++) {
            int column = (kvHead * headDim + d) * cells;
            runOut[outBase + d] = tinyValues
                    ? GgmlDot.tinyBlas(s.weights, 0, g.byDim, column, cells, s.lanes)
                    : GgmlDot.vecDotF16(s.weights, 0, g.byDim, column, cells, s.lanes);
        }
    }

    /**
     * {@link #attendHead} for a lone token, the rule {@link #attend} applies to a run of one: both products are
     * ggml_vec_dot_f16, here over all positions (scores) and all dimensions (output) at once, the same bits.
     */
    private void attendDecodeHead(Scratch s, Gathered g, int visible, int h, int qBase, int outBase) {
        int cells = g.cells;
        int kvHead = kvHeadOf(h);
        roundQuery(s, qBase);
        float[] weights = s.weights;
        GgmlDot.vecDotF16Columns(s.query, 0, g.byDim, kvHead * headDim * cells, cells, headDim, visible, weights, 0,
                s.columns, s.wide);
        scaleAndMask(weights, visible, cells);
        softmaxToF16(s, cells);
        GgmlDot.vecDotF16Columns(weights, 0, g.valueRows, kvHead * headDim, kvDim, cells, headDim, runOut, outBase,
                s.columns, s.wide);
    }

    private void scores(Scratch s, float[] keys, int visible, int cells, int kvBase, boolean tiny) {
        float[] weights = s.weights;
        for (int j = 0; j < visible; j++) {
            int k = j * kvDim + kvBase;
            float dot = tiny ? GgmlDot.tinyBlas(s.query, 0, keys, k, headDim, s.lanes)
                    : GgmlDot.vecDotF16(s.query, 0, keys, k, headDim, s.lanes);
            weights[j] = dot;
        }
        scaleAndMask(weights, visible, cells);
    }

    /** The query of one head rounded to F16, as KQ's mul_mat converts it. */
    private void roundQuery(Scratch s, int qBase) {
        for (int d = 0; d < headDim; d++) {
            s.query[d] = roundToF16(runQ[qBase + d]);
        }
    }

    /** soft_max_ext's input: each visible position's score times the scale, the padding cells masked to -inf. */
    private void scaleAndMask(float[] weights, int visible, int cells) {
        for (int j = 0; j < visible; j++) {
            weights[j] *= scale;
        }
        java.util.Arrays.fill(weights, visible, cells, Float.NEGATIVE_INFINITY);
    }

    /** ggml_compute_forward_soft_max_f32 over the padded row, then the F16 rounding KQV's mul_mat applies. */
    private static void softmaxToF16(Scratch s, int cells) {
        float[] weights = s.weights;
        float[] lanes = s.lanes;
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < cells; j++) {
            max = Math.max(max, weights[j]);
        }
        double sum = 0;
        int grouped = cells - cells % GgmlExp.GROUP;
        VectorExp.exp(weights, 0, weights, 0, grouped, max);
        for (int g = 0; g < grouped; g += GgmlExp.GROUP) {
            System.arraycopy(weights, g, lanes, 0, GgmlExp.GROUP);
            sum += GgmlDot.tree(lanes, GgmlExp.GROUP);
        }
        for (int j = grouped; j < cells; j++) {
            float e = GgmlExp.expf(weights[j] - max);
            weights[j] = e;
            sum += e;
        }
        float inverse = (float) (1.0 / sum);
        for (int j = 0; j < cells; j++) {
            weights[j] = roundToF16(weights[j] * inverse);
        }
    }

    private static float roundToF16(float value) {
        return Float.float16ToFloat(Float.floatToFloat16(value));
    }
}
