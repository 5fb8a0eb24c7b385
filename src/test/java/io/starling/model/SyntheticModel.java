package io.starling.model;

import io.starling.gguf.GgmlType;
import io.starling.gguf.GgufFile;
import io.starling.gguf.GgufWriter;
import io.starling.tensor.BlockFormats;
import io.starling.tensor.Quantizer;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Writes LLaMA-architecture GGUF files with random weights: tiny ones for unit tests, and full-size ones (e.g. a
 * TinyLlama-1.1B shape) for benchmarks. Every row is generated from (seed, tensor, row) alone and quantized
 * straight into the mapped output, rows in parallel, so a multi-gigabyte model never sits in the heap and the same
 * settings always give the same file.
 *
 * <p>All 2-D weights use the chosen type, except {@code output.weight}, which is Q8_0 when the type is Q4_0 (as
 * llama-quantize does). Norm weights are F32 ones.
 */
public final class SyntheticModel {

    private int dim = 64;
    private int layers = 2;
    private int heads = 4;
    private int kvHeads = 2;
    private int ffn = 96;
    private int vocab = 64;
    private int context = 128;
    private float ropeFreqBase = 10000f;
    private GgmlType type = GgmlType.F32;
    private boolean tiedOutput;
    private long seed = 1;
    private Path vocabFrom;

    public static SyntheticModel builder() {
        return new SyntheticModel();
    }

    /** The shape of TinyLlama-1.1B: dim 2048, 22 layers, 32 heads, 4 KV heads, FFN 5632, vocab 32000, context 2048. */
    public static SyntheticModel tinyLlama11B() {
        return builder().dims(2048, 22, 32, 4, 5632).vocab(32000).context(2048);
    }

    /**
     * A small model whose quantized products still run the token lanes and the tiles: dim 64, 2 layers, 4 heads,
     * 2 KV heads, FFN 160, vocab 96, context 256.
     */
    public static SyntheticModel small() {
        return builder().dims(64, 2, 4, 2, 160).vocab(96).context(256);
    }

    public SyntheticModel dims(int dim, int layers, int heads, int kvHeads, int ffn) {
        this.dim = dim;
        this.layers = layers;
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.ffn = ffn;
        return this;
    }

    public SyntheticModel vocab(int vocab) {
        this.vocab = vocab;
        return this;
    }

    public SyntheticModel context(int context) {
        this.context = context;
        return this;
    }

    public SyntheticModel ropeFreqBase(float base) {
        this.ropeFreqBase = base;
        return this;
    }

    public SyntheticModel type(GgmlType type) {
        this.type = type;
        return this;
    }

    /** Leaves out output.weight, so the model classifies with token_embd. */
    public SyntheticModel tiedOutput(boolean tied) {
        this.tiedOutput = tied;
        return this;
    }

    public SyntheticModel seed(long seed) {
        this.seed = seed;
        return this;
    }

    /** Copies every {@code tokenizer.*} key of that GGUF (its token count must equal the vocab size). */
    public SyntheticModel vocabFrom(Path gguf) {
        this.vocabFrom = gguf;
        return this;
    }

    public Path write(Path path) throws IOException {
        int headDim = dim / heads;
        GgufWriter writer = new GgufWriter()
                .putString("general.architecture", "llama")
                .putString("general.name", "synthetic")
                .putUInt32("llama.context_length", context)
                .putUInt32("llama.embedding_length", dim)
                .putUInt32("llama.block_count", layers)
                .putUInt32("llama.feed_forward_length", ffn)
                .putUInt32("llama.attention.head_count", heads)
                .putUInt32("llama.attention.head_count_kv", kvHeads)
                .putUInt32("llama.rope.dimension_count", headDim)
                .putFloat32("llama.rope.freq_base", ropeFreqBase)
                .putFloat32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
        if (vocabFrom != null) {
            copyTokenizer(writer);
        }
        int tensor = 0;
        matrix(writer, "token_embd.weight", type, vocab, dim, tensor++);
        for (int l = 0; l < layers; l++) {
            String blk = "blk." + l + ".";
            ones(writer, blk + "attn_norm.weight", dim);
            matrix(writer, blk + "attn_q.weight", type, heads * headDim, dim, tensor++);
            matrix(writer, blk + "attn_k.weight", type, kvHeads * headDim, dim, tensor++);
            matrix(writer, blk + "attn_v.weight", type, kvHeads * headDim, dim, tensor++);
            matrix(writer, blk + "attn_output.weight", type, dim, heads * headDim, tensor++);
            ones(writer, blk + "ffn_norm.weight", dim);
            matrix(writer, blk + "ffn_gate.weight", type, ffn, dim, tensor++);
            matrix(writer, blk + "ffn_down.weight", type, dim, ffn, tensor++);
            matrix(writer, blk + "ffn_up.weight", type, ffn, dim, tensor++);
        }
        ones(writer, "output_norm.weight", dim);
        if (!tiedOutput) {
            matrix(writer, "output.weight", type == GgmlType.Q4_0 ? GgmlType.Q8_0 : type, vocab, dim, tensor);
        }
        writer.write(path);
        return path;
    }

    private void copyTokenizer(GgufWriter writer) throws IOException {
        try (GgufFile source = GgufFile.open(vocabFrom)) {
            for (String key : source.metadata().keys()) {
                if (key.startsWith("tokenizer.")) {
                    writer.put(key, source.metadata().typeOf(key), source.metadata().get(key));
                }
            }
        }
    }

    private static void ones(GgufWriter writer, String name, int n) {
        float[] values = new float[n];
        java.util.Arrays.fill(values, 1f);
        writer.addTensor(name, GgmlType.F32, new long[] {n}, MemorySegment.ofArray(BlockFormats.quantizer(GgmlType.F32).quantize(values)));
    }

    /** Uniform weights scaled by 1/sqrt(cols), so activations keep their size through the layers. */
    private void matrix(GgufWriter writer, String name, GgmlType rowType, int rows, int cols, int tensorIndex) {
        Quantizer quantizer = BlockFormats.quantizer(rowType);
        long rowBytes = rowType.byteSize(cols);
        double scale = Math.sqrt(3.0 / cols);
        long tensorSeed = new SplittableRandom(seed * 1_000_003L + tensorIndex).nextLong();
        writer.addTensor(name, rowType, new long[] {cols, rows}, segment -> IntStream.range(0, rows).parallel().forEach(r -> {
            SplittableRandom random = new SplittableRandom(tensorSeed + r * 0x9E3779B97F4A7C15L);
            float[] row = new float[cols];
            for (int i = 0; i < cols; i++) {
                row[i] = (float) ((random.nextDouble() * 2 - 1) * scale);
            }
            quantizer.quantize(row, 0, cols, segment, r * rowBytes);
        }));
    }
}
