package io.starling.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.starling.gguf.GgmlType;
import io.starling.gguf.GgufFile;
import io.starling.tensor.MatMul;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The feed-forward block runs a long step in chunks of tokens to bound its buffers; the logits must be the same bits
 * as in one pass, whatever the step's length, on a quantized model whose products use token lanes and tiles.
 */
class FeedForwardChunkTest {

    @TempDir
    static Path dir;
    private static GgufFile q4;
    private static GgufFile q8;
    private static MatMul matMul;
    private static LlamaWeights weights;
    private static LlamaWeights q8Weights;

    @BeforeAll
    static void load() throws Exception {
        SyntheticModel shape = SyntheticModel.small();
        q4 = GgufFile.open(shape.type(GgmlType.Q4_0).write(dir.resolve("q4.gguf")));
        q8 = GgufFile.open(shape.type(GgmlType.Q8_0).write(dir.resolve("q8.gguf")));
        matMul = new MatMul(2);
        weights = LlamaWeights.of(q4, ModelShape.of(q4));
        q8Weights = LlamaWeights.of(q8, ModelShape.of(q8));
    }

    @AfterAll
    static void close() {
        matMul.close();
        q4.close();
        q8.close();
    }

    @ParameterizedTest(name = "{0} tokens")
    @ValueSource(ints = {31, 33, 48, 65, 97, 130, 200, 211})
    void chunkedFeedForwardGivesTheLogitsOfOnePass(int tokens) {
        int[] ids = new Random(tokens).ints(tokens, 0, 96).toArray();
        for (LlamaWeights model : new LlamaWeights[] {weights, q8Weights}) {
            float[][] onePass = logits(new LlamaModel(model, matMul, 4096), ids);
            float[][] chunked = logits(new LlamaModel(model, matMul, 64), ids);
            for (int t = 0; t < tokens; t++) {
                assertThat(chunked[t]).as("token %d", t).containsExactly(onePass[t]);
            }
        }
    }

    @Test
    void chunkedFeedForwardGivesTheEmbeddingOfOnePass() {
        int[] ids = new Random(7).ints(97, 0, 96).toArray();
        assertThat(new LlamaModel(weights, matMul, 64).embed(ids))
                .containsExactly(new LlamaModel(weights, matMul, 4096).embed(ids));
    }

    @Test
    void aChunkThatSplitsTokenLaneGroupsIsRefused() {
        assertThatThrownBy(() -> new LlamaModel(weights, matMul, 40)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("multiple of 16");
        assertThatThrownBy(() -> new LlamaModel(weights, matMul, 48)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 64");
    }

    private static float[][] logits(LlamaModel model, int[] ids) {
        Logits logits = model.forward(Batch.single(model.newKvStore(ids.length), 0, ids, Batch.Outputs.ALL));
        float[][] rows = new float[ids.length][];
        for (int t = 0; t < ids.length; t++) {
            rows[t] = logits.row(t).clone();
        }
        return rows;
    }
}
