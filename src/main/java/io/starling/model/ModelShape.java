package io.starling.model;

import io.starling.gguf.GgufFile;
import io.starling.gguf.GgufFormatException;
import io.starling.gguf.GgufMetadata;
import io.starling.gguf.GgufTensor;
import java.util.Arrays;
import java.util.Set;

/**
 * The hyper-parameters of a LLaMA-family model, read from GGUF metadata and checked against every
 * tensor the forward pass will touch, so a bad file fails at load rather than mid-request.
 */
public record ModelShape(
        String architecture,
        int embeddingLength,
        int layers,
        int heads,
        int kvHeads,
        int headDim,
        int feedForwardLength,
        int vocabSize,
        int contextLength,
        int ropeDimensions,
        float ropeFreqBase,
        RopeStyle ropeStyle,
        RopeScaling ropeScaling,
        float rmsNormEpsilon,
        boolean tiedOutput) {

    /** Architectures whose tensors and metadata follow llama.cpp's "llama" layout. */
    public static final Set<String> SUPPORTED_ARCHITECTURES = Set.of("llama");

    private static final int MAX_DIMENSION = 1 << 20;

    public static ModelShape of(GgufFile file) {
        String arch = file.architecture();
        if (arch == null) {
            throw new GgufFormatException("general.architecture is missing: not a model file");
        }
        if (!SUPPORTED_ARCHITECTURES.contains(arch)) {
            throw new GgufFormatException("unsupported architecture '" + arch + "' (Starling runs: "
                    + String.join(", ", SUPPORTED_ARCHITECTURES) + ")");
        }
        if (file.tensors().isEmpty()) {
            throw new GgufFormatException("the file holds no tensors (a vocab-only GGUF cannot be served)");
        }
        GgufMetadata md = file.metadata();
        if (md.getInt(arch + ".expert_count", 0) > 0) {
            throw new GgufFormatException("mixture-of-experts models are not supported yet (" + arch + ".expert_count)");
        }
        int dim = positive(md, arch + ".embedding_length", md.getInt(arch + ".embedding_length"));
        int layers = positive(md, arch + ".block_count", md.getInt(arch + ".block_count"));
        int heads = positive(md, arch + ".attention.head_count", md.getInt(arch + ".attention.head_count"));
        int kvHeads = positive(md, arch + ".attention.head_count_kv", md.getInt(arch + ".attention.head_count_kv", heads));
        if (heads % kvHeads != 0) {
            throw new GgufFormatException(arch + ".attention.head_count " + heads
                    + " is not a multiple of head_count_kv " + kvHeads);
        }
        int headDim = positive(md, arch + ".attention.key_length",
                md.getInt(arch + ".attention.key_length", dim % heads == 0 ? dim / heads : -1));
        int ffn = positive(md, arch + ".feed_forward_length", md.getInt(arch + ".feed_forward_length"));
        int context = positive(md, arch + ".context_length", md.getInt(arch + ".context_length"));
        int ropeDims = positive(md, arch + ".rope.dimension_count", md.getInt(arch + ".rope.dimension_count", headDim));
        if (ropeDims > headDim || ropeDims % 2 != 0) {
            throw new GgufFormatException(arch + ".rope.dimension_count " + ropeDims + " must be even and at most the head size " + headDim);
        }
        float freqBase = md.getFloat(arch + ".rope.freq_base", 10000f);
        float eps = md.getFloat(arch + ".attention.layer_norm_rms_epsilon", 1e-5f);
        if (!(freqBase > 0) || !(eps > 0) || Float.isInfinite(freqBase) || Float.isInfinite(eps)) {
            throw new GgufFormatException("rope.freq_base " + freqBase + " and layer_norm_rms_epsilon " + eps + " must be positive");
        }

        RopeScaling scaling = RopeScaling.of(md, arch, context);
        file.findTensor("rope_freqs.weight").ifPresent(factors -> expectShape(factors, ropeDims / 2));

        GgufTensor embeddings = file.tensor("token_embd.weight");
        int vocab = embeddings.shape().length == 2 ? toInt("token_embd.weight", embeddings.shape()[1]) : -1;
        expectShape(embeddings, dim, vocab);
        if (md.contains("tokenizer.ggml.tokens") && md.getArray("tokenizer.ggml.tokens").length() != vocab) {
            throw new GgufFormatException("token_embd.weight has " + vocab + " rows but the vocab has "
                    + md.getArray("tokenizer.ggml.tokens").length() + " tokens");
        }
        expectShape(file.tensor("output_norm.weight"), dim);
        boolean tied = file.findTensor("output.weight").isEmpty();
        if (!tied) {
            expectShape(file.tensor("output.weight"), dim, vocab);
        }
        int qDim = Math.multiplyExact(heads, headDim);
        int kvDim = Math.multiplyExact(kvHeads, headDim);
        for (int i = 0; i < layers; i++) {
            String blk = "blk." + i + ".";
            expectShape(file.tensor(blk + "attn_norm.weight"), dim);
            expectShape(file.tensor(blk + "attn_q.weight"), dim, qDim);
            expectShape(file.tensor(blk + "attn_k.weight"), dim, kvDim);
            expectShape(file.tensor(blk + "attn_v.weight"), dim, kvDim);
            expectShape(file.tensor(blk + "attn_output.weight"), qDim, dim);
            expectShape(file.tensor(blk + "ffn_norm.weight"), dim);
            expectShape(file.tensor(blk + "ffn_gate.weight"), dim, ffn);
            expectShape(file.tensor(blk + "ffn_up.weight"), dim, ffn);
            expectShape(file.tensor(blk + "ffn_down.weight"), ffn, dim);
        }
        return new ModelShape(arch, dim, layers, heads, kvHeads, headDim, ffn, vocab, context, ropeDims,
                freqBase, RopeStyle.of(arch), scaling, eps, tied);
    }

    /** Query heads per key/value head: query head h reads kv head {@code h / groupSize()}. */
    public int groupSize() {
        return heads / kvHeads;
    }

    /** Width of the concatenated query heads. */
    public int queryDim() {
        return heads * headDim;
    }

    /** Width of the concatenated key (or value) heads, what the KV cache holds per position and layer. */
    public int kvDim() {
        return kvHeads * headDim;
    }

    private static int positive(GgufMetadata md, String key, int value) {
        if (value <= 0 || value > MAX_DIMENSION) {
            throw new GgufFormatException(key + " = " + value + " is out of range (1.." + MAX_DIMENSION + ")");
        }
        return value;
    }

    private static int toInt(String tensor, long value) {
        if (value <= 0 || value > MAX_DIMENSION * 16L) {
            throw new GgufFormatException(tensor + " has an out-of-range dimension " + value);
        }
        return (int) value;
    }

    private static void expectShape(GgufTensor tensor, long... expected) {
        if (!Arrays.equals(tensor.shape(), expected)) {
            throw new GgufFormatException("tensor '" + tensor.name() + "' has shape " + Arrays.toString(tensor.shape())
                    + ", expected " + Arrays.toString(expected));
        }
    }

    @Override
    public String toString() {
        return "%s, %d layers, dim %d, %d heads (%d kv, head size %d), ffn %d, vocab %d, context %d"
                .formatted(architecture, layers, embeddingLength, heads, kvHeads, headDim, feedForwardLength,
                        vocabSize, contextLength);
    }
}
