package io.starling.model;

import io.starling.gguf.GgufFile;
import io.starling.gguf.GgufTensor;
import io.starling.tensor.BlockFormats;
import io.starling.tensor.WeightMatrix;
import java.util.ArrayList;
import java.util.List;

/**
 * Every tensor of a LLaMA-family model bound once: matrices stay in the mapped file in their own format,
 * the small 1-D norm and rope-factor vectors are decoded to floats at load.
 *
 * @param tokenEmbedding the {@code [vocab, dim]} embedding table, read one row per token
 * @param tokenEmbeddingSource plain reads of that table from its file, or null to read it through the mapping (a
 *                       table tied to the output head, or a model with no file)
 * @param output         the classifier, {@code token_embd} itself when the model ties them
 * @param ropeFreqFactors Llama-3 style per-pair frequency divisors, or null
 */
public record LlamaWeights(
        ModelShape shape,
        WeightMatrix tokenEmbedding,
        EmbeddingRows.Source tokenEmbeddingSource,
        List<Layer> layers,
        float[] outputNorm,
        WeightMatrix output,
        float[] ropeFreqFactors) {

    /** The weights of one transformer block. */
    public record Layer(
            float[] attentionNorm,
            WeightMatrix query,
            WeightMatrix key,
            WeightMatrix value,
            WeightMatrix attentionOutput,
            float[] ffnNorm,
            WeightMatrix gate,
            WeightMatrix up,
            WeightMatrix down) {
    }

    public LlamaWeights {
        layers = List.copyOf(layers);
    }

    /** Binds the tensors of {@code file}, whose shapes {@link ModelShape#of} has validated. */
    public static LlamaWeights of(GgufFile file, ModelShape shape) {
        List<Layer> layers = new ArrayList<>(shape.layers());
        for (int i = 0; i < shape.layers(); i++) {
            String blk = "blk." + i + ".";
            layers.add(new Layer(
                    vector(file.tensor(blk + "attn_norm.weight")),
                    WeightMatrix.of(file.tensor(blk + "attn_q.weight")),
                    WeightMatrix.of(file.tensor(blk + "attn_k.weight")),
                    WeightMatrix.of(file.tensor(blk + "attn_v.weight")),
                    WeightMatrix.of(file.tensor(blk + "attn_output.weight")),
                    vector(file.tensor(blk + "ffn_norm.weight")),
                    WeightMatrix.of(file.tensor(blk + "ffn_gate.weight")),
                    WeightMatrix.of(file.tensor(blk + "ffn_up.weight")),
                    WeightMatrix.of(file.tensor(blk + "ffn_down.weight"))));
        }
        GgufTensor embeddingTensor = file.tensor("token_embd.weight");
        WeightMatrix embedding = WeightMatrix.of(embeddingTensor);
        WeightMatrix output = shape.tiedOutput() ? embedding : WeightMatrix.of(file.tensor("output.weight"));
        EmbeddingRows.Source embeddingSource = shape.tiedOutput() ? null
                : (offset, dst, length) -> file.readBytes(embeddingTensor.offset() + offset, dst, 0, length);
        float[] ropeFactors = file.findTensor("rope_freqs.weight").map(LlamaWeights::vector).orElse(null);
        return new LlamaWeights(shape, embedding, embeddingSource, layers, vector(file.tensor("output_norm.weight")),
                output, ropeFactors);
    }

    private static float[] vector(GgufTensor tensor) {
        return BlockFormats.of(tensor.type()).dequantize(tensor.data(), 0, Math.toIntExact(tensor.elementCount()));
    }
}
