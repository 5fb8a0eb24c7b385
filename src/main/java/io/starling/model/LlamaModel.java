package io.starling.model;

import io.starling.gguf.GgufFile;
import io.starling.tensor.MatMul;
import io.starling.tensor.WeightMatrix;
import java.util.List;

/**
 * The LLaMA transformer forward pass over a {@link Batch}: every token of every sequence goes through each weight
 * matrix in one {@link MatMul#multiply} call, attention runs per sequence over its own KV cache.
 *
 * <p>Not thread-safe: scratch buffers sized for the largest batch seen so far are reused by every call, so one
 * thread (the engine loop) drives a model. The returned {@link Logits} is part of that scratch.
 */
public final class LlamaModel {

    private final ModelShape shape;
    private final LlamaWeights weights;
    private final EmbeddingRows embeddingRows;
    private final MatMul matMul;
    private final RotaryEmbedding rope;
    private final CausalAttention attention;
    private final Logits logits;

    // per-token activations, grown to the largest batch seen
    private int tokenCapacity;
    private int[] positions = new int[0];
    private float[] hidden = new float[0];
    /**
     * A block's normed input rows; free once the block's first product has read them, so it also holds the
     * attention output ({@link #attended}, the same array) and, after the last layer, the output rows.
     */
    private float[] normed = new float[0];
    /**
     * A block's query rows; free once attention has read them, so it also holds the rows the attention output and
     * down projections write ({@link #projected}, the same array): one activation buffer fewer, ~4 MB of heap at a
     * 512-token step on a 1B model.
     */
    private float[] query = new float[0];
    private float[] key = new float[0];
    private float[] value = new float[0];
    private float[] attended = normed;
    private float[] projected = query;
    // the feed-forward block's hidden rows, for one chunk of tokens at a time
    private float[] gate = new float[0];
    private float[] up = new float[0];
    // Matrices that read the same input go through MatMul in one dispatch: Q, K, V and gate, up per layer.
    private final WeightMatrix[][] qkv;
    private final WeightMatrix[][] gateUp;
    private float[][] qkvOut = new float[3][];
    private float[][] gateUpOut = new float[2][];

    /**
     * Tokens the feed-forward block takes at once. Its hidden rows are ~5.5 times as wide as the model's, so a
     * full step (512 tokens) would hold ~23 MB of them on a 1B model, and MatMul's quantized copies of the down
     * projection's input (three arrays that wide) ~35 MB more; in chunks of 128 the step's buffers stay bounded
     * by the model width instead, for one more pass over the block's weights per chunk, cheap beside 128 tokens
     * of arithmetic per weight. A multiple of 16 tokens, so every chunk starts a whole token-lane group and each
     * token gets the same arithmetic as in one pass.
     */
    static final int FEED_FORWARD_CHUNK = 128;
    /**
     * Fewest tokens whose Q4_0/Q8_0 products take the token lanes (two groups at 512 bits, at least two at narrower
     * widths; fewer run in tiles): the least a feed-forward chunk may leave behind.
     */
    private static final int LANE_TOKENS = 32;
    private final int feedForwardChunk;
    /** SwiGLU values per work item: a multiple of ggml's 16-value exp groups. */
    private static final int SWIGLU_CHUNK = 512;
    private final int swiGluChunks;
    private final MatMul.Range swiGlu = this::swiGluChunks;
    /**
     * Tokens from which the per-token steps between products (RMSNorm, the residual additions) are split over the
     * kernel threads: on the calling thread alone they held the other thread idle (a few % of a prefill at two).
     */
    private static final int PARALLEL_TOKENS = 16;
    private final MatMul.Range norms = this::normTokens;
    private final MatMul.Range residuals = this::addTokens;
    // the step being split by norms and residuals (published to the kernel threads by the pool's dispatch)
    private float[] normWeight;
    private int normFrom;
    private int residualFrom;

    public LlamaModel(LlamaWeights weights, MatMul matMul) {
        this(weights, matMul, FEED_FORWARD_CHUNK);
    }

    LlamaModel(LlamaWeights weights, MatMul matMul, int feedForwardChunk) {
        if (feedForwardChunk < 2 * LANE_TOKENS || feedForwardChunk % 16 != 0) {
            throw new IllegalArgumentException("the feed-forward chunk must be a multiple of 16 tokens, at least "
                    + 2 * LANE_TOKENS + ", got " + feedForwardChunk);
        }
        this.feedForwardChunk = feedForwardChunk;
        this.shape = weights.shape();
        this.weights = weights;
        this.embeddingRows = new EmbeddingRows(weights.tokenEmbedding(), weights.tokenEmbeddingSource());
        this.matMul = matMul;
        this.rope = RotaryEmbedding.of(shape, weights.ropeFreqFactors());
        this.attention = new CausalAttention(shape, matMul);
        this.swiGluChunks = (shape.feedForwardLength() + SWIGLU_CHUNK - 1) / SWIGLU_CHUNK;
        this.logits = new Logits(shape.vocabSize());
        this.qkv = new WeightMatrix[shape.layers()][];
        this.gateUp = new WeightMatrix[shape.layers()][];
        for (int l = 0; l < shape.layers(); l++) {
            LlamaWeights.Layer layer = weights.layers().get(l);
            qkv[l] = new WeightMatrix[] {layer.query(), layer.key(), layer.value()};
            gateUp[l] = new WeightMatrix[] {layer.gate(), layer.up()};
        }
    }

    /** Validates the file's shape and binds its tensors; the file must stay open while the model is used. */
    public static LlamaModel load(GgufFile file, MatMul matMul) {
        return new LlamaModel(LlamaWeights.of(file, ModelShape.of(file)), matMul);
    }

    public ModelShape shape() {
        return shape;
    }

    LlamaWeights weights() {
        return weights;
    }

    MatMul matMul() {
        return matMul;
    }

    /** A KV store for one sequence of up to {@code capacity} positions, laid out for this model. */
    public KvStore newKvStore(int capacity) {
        return ContiguousKvStore.forShape(shape, Math.min(capacity, shape.contextLength()));
    }

    /**
     * Runs the batch: writes its keys and values into each sequence's KV store and returns the logits of the
     * tokens the sequences ask outputs for.
     *
     * @throws IllegalArgumentException if a token id is out of the vocabulary or a position lies beyond the
     *                                  context length or the sequence's KV capacity
     */
    public Logits forward(Batch batch) {
        int rows = finalHiddenStates(batch);
        float[] out = logits.reset(rows);
        if (rows > 0) {
            matMul.multiply(weights.output(), normed, rows, out);
        }
        return logits;
    }

    /**
     * The sentence embedding of {@code tokens}: the final hidden states (after the output norm) mean-pooled over
     * all tokens and scaled to unit length. Uses its own KV cache; the caller decides about BOS.
     */
    public float[] embed(int[] tokens) {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("cannot embed an empty token sequence");
        }
        int dim = shape.embeddingLength();
        double[] sum = new double[dim];
        KvStore kv = newKvStore(tokens.length);
        int rows = finalHiddenStates(Batch.single(kv, 0, tokens, Batch.Outputs.ALL));
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < dim; i++) {
                sum[i] += normed[r * dim + i];
            }
        }
        double norm = 0;
        for (double v : sum) {
            norm += v * v;
        }
        norm = Math.sqrt(norm);
        float[] embedding = new float[dim];
        for (int i = 0; i < dim; i++) {
            embedding[i] = norm == 0 ? 0f : (float) (sum[i] / norm);
        }
        return embedding;
    }

    /** Runs all layers and leaves the output-normed hidden state of each output row in {@link #normed}. */
    private int finalHiddenStates(Batch batch) {
        validate(batch);
        int tokens = batch.tokenCount();
        ensureCapacity(tokens);
        int dim = shape.embeddingLength();
        embedTokens(batch);
        int active = tokens;
        for (int l = 0; l < shape.layers(); l++) {
            LlamaWeights.Layer layer = weights.layers().get(l);
            attentionBlock(batch, l, layer, tokens);
            if (l == shape.layers() - 1) {
                active = keepOutputRows(batch);
            }
            feedForwardBlock(l, layer, active);
        }
        for (int row = 0; row < active; row++) {
            RmsNorm.apply(hidden, row * dim, weights.outputNorm(), shape.rmsNormEpsilon(), normed, row * dim);
        }
        return active;
    }

    /**
     * Moves the hidden states of the tokens that want outputs to the front and returns their count. llama.cpp
     * does the same after the last layer's attention (ggml_get_rows on inp_out_ids): the last FFN then runs on
     * those rows only, which saves work and, since the row count decides whether a matrix product goes through
     * tinyBLAS or ggml_vec_dot, keeps our summation order equal to its own.
     */
    private int keepOutputRows(Batch batch) {
        int dim = shape.embeddingLength();
        int row = 0;
        int t = 0;
        for (Batch.Sequence sequence : batch.sequences()) {
            for (int i = 0; i < sequence.tokens().length; i++, t++) {
                if (sequence.outputs(i)) {
                    if (row != t) {
                        System.arraycopy(hidden, t * dim, hidden, row * dim, dim);
                    }
                    row++;
                }
            }
        }
        return row;
    }

    private void embedTokens(Batch batch) {
        int dim = shape.embeddingLength();
        int t = 0;
        for (Batch.Sequence sequence : batch.sequences()) {
            int[] ids = sequence.tokens();
            for (int i = 0; i < ids.length; i++, t++) {
                positions[t] = sequence.firstPosition() + i;
                embeddingRows.decode(ids[i], hidden, t * dim);
            }
        }
    }

    private void attentionBlock(Batch batch, int l, LlamaWeights.Layer layer, int tokens) {
        int queryDim = shape.queryDim();
        int kvDim = shape.kvDim();
        normRows(layer.attentionNorm(), 0, tokens);
        matMul.multiply(qkv[l], normed, tokens, qkvOut);
        for (int t = 0; t < tokens; t++) {
            rope.prepare(positions[t]);
            rope.rotate(query, t * queryDim, shape.heads());
            rope.rotate(key, t * kvDim, shape.kvHeads());
        }
        int t0 = 0;
        for (Batch.Sequence sequence : batch.sequences()) {
            KvStore kv = sequence.kv();
            int count = sequence.tokens().length;
            for (int i = 0; i < count; i++) {
                int t = t0 + i;
                kv.write(l, positions[t], key, t * kvDim, value, t * kvDim);
            }
            t0 += count;
        }
        // sequences decoding one token each, a lone one included, on the decode path (one hand-off for all of them,
        // the column kernel); prompt chunks spread their (token, head) pairs over the threads one sequence at a time
        attention.beginDecodes(l);
        t0 = 0;
        for (Batch.Sequence sequence : batch.sequences()) {
            int count = sequence.tokens().length;
            if (count == 1) {
                attention.addDecode(sequence.kv(), sequence.firstPosition(), t0 * queryDim, t0 * queryDim);
            } else {
                attention.attend(sequence.kv(), l, sequence.firstPosition(), count, query, t0 * queryDim, attended,
                        t0 * queryDim);
            }
            t0 += count;
        }
        attention.attendDecodes(query, attended);
        matMul.multiply(layer.attentionOutput(), attended, tokens, projected);
        addResidual(0, tokens);
    }

    private void feedForwardBlock(int l, LlamaWeights.Layer layer, int tokens) {
        for (int from = 0; from < tokens; ) {
            int count = feedForwardTokens(tokens - from);
            normRows(layer.ffnNorm(), from, count);
            matMul.multiply(gateUp[l], normed, count, gateUpOut);
            matMul.parallelFor(count * swiGluChunks, swiGlu);
            matMul.multiply(layer.down(), gate, count, projected);
            addResidual(from, count);
            from += count;
        }
    }

    /**
     * The next feed-forward chunk of the {@code remaining} tokens. A chunk never leaves fewer than
     * {@link #LANE_TOKENS} behind: a product of so few tokens runs them all in tiles (one alone in the single-token
     * kernel), whose arithmetic differs from the token lanes' they get in one pass.
     */
    private int feedForwardTokens(int remaining) {
        if (remaining <= feedForwardChunk || remaining - feedForwardChunk >= LANE_TOKENS) {
            return Math.min(remaining, feedForwardChunk);
        }
        return (remaining - LANE_TOKENS) / 16 * 16;
    }

    /** silu(gate) * up over chunks [from, to) of {@link #SWIGLU_CHUNK} values (a token's row is its chunks in turn). */
    private void swiGluChunks(int from, int to, int part) {
        int ffn = shape.feedForwardLength();
        for (int i = from; i < to; i++) {
            int t = i / swiGluChunks;
            int start = (i % swiGluChunks) * SWIGLU_CHUNK;
            int count = Math.min(SWIGLU_CHUNK, ffn - start);
            int at = t * ffn + start;
            // chunks are whole 16-value groups but the last, which ends the row: silu's vector/tail split is the row's
            GgmlExp.silu(gate, at, count);
            for (int j = at; j < at + count; j++) {
                gate[j] *= up[j];
            }
        }
    }

    /** Normalises hidden rows {@code [from, from + count)} into normed rows {@code [0, count)}. */
    private void normRows(float[] weight, int from, int count) {
        normWeight = weight;
        normFrom = from;
        perToken(count, norms);
    }

    /** Rows [from, to) of the current {@link #normRows}. */
    private void normTokens(int from, int to, int part) {
        int dim = shape.embeddingLength();
        for (int t = from; t < to; t++) {
            RmsNorm.apply(hidden, (normFrom + t) * dim, normWeight, shape.rmsNormEpsilon(), normed, t * dim);
        }
    }

    /** Adds the {@code count} rows of {@link #projected} into the hidden rows from {@code from}: the residual. */
    private void addResidual(int from, int count) {
        residualFrom = from;
        perToken(count, residuals);
    }

    /** Runs {@code work} over {@code count} tokens, on all kernel threads from {@link #PARALLEL_TOKENS} tokens on. */
    private void perToken(int count, MatMul.Range work) {
        if (count >= PARALLEL_TOKENS) {
            matMul.parallelFor(count, work);
        } else {
            work.run(0, count, 0);
        }
    }

    /** Rows [from, to) of the current {@link #addResidual}. */
    private void addTokens(int from, int to, int part) {
        int dim = shape.embeddingLength();
        int offset = (residualFrom + from) * dim;
        for (int i = from * dim; i < to * dim; i++) {
            hidden[offset + i - from * dim] += projected[i];
        }
    }

    private void validate(Batch batch) {
        List<Batch.Sequence> sequences = batch.sequences();
        for (int s = 0; s < sequences.size(); s++) {
            Batch.Sequence sequence = sequences.get(s);
            int end = sequence.endPosition();
            if (end > shape.contextLength()) {
                throw new IllegalArgumentException("sequence " + s + " reaches position " + (end - 1)
                        + ", beyond the model's context length of " + shape.contextLength() + " positions");
            }
            if (end > sequence.kv().capacity()) {
                throw new IllegalArgumentException("sequence " + s + " reaches position " + (end - 1)
                        + ", beyond its KV store's capacity of " + sequence.kv().capacity() + " positions");
            }
            if (sequence.kv().kvDim() != shape.kvDim()) {
                throw new IllegalArgumentException("sequence " + s + " has a KV store of width " + sequence.kv().kvDim()
                        + ", this model needs " + shape.kvDim());
            }
            for (int id : sequence.tokens()) {
                if (id < 0 || id >= shape.vocabSize()) {
                    throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, "
                            + shape.vocabSize() + ")");
                }
            }
        }
    }

    private void ensureCapacity(int tokens) {
        if (tokens <= tokenCapacity) {
            return;
        }
        // a multiple of 32 tokens, not double: these buffers are ~100 KB per token on a 1B model, and doubling
        // past the scheduler's step budget would hold up to twice its activations for the life of the server
        int capacity = (tokens + 31) & ~31;
        int dim = shape.embeddingLength();
        int ffnTokens = Math.min(capacity, feedForwardChunk);
        positions = new int[capacity];
        hidden = new float[capacity * dim];
        normed = new float[capacity * Math.max(dim, shape.queryDim())];
        query = new float[capacity * Math.max(dim, shape.queryDim())];
        key = new float[capacity * shape.kvDim()];
        value = new float[capacity * shape.kvDim()];
        attended = normed;
        projected = query;
        gate = new float[ffnTokens * shape.feedForwardLength()];
        up = new float[ffnTokens * shape.feedForwardLength()];
        qkvOut = new float[][] {query, key, value};
        gateUpOut = new float[][] {gate, up};
        tokenCapacity = capacity;
    }
}
