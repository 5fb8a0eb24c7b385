package io.starling.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.gguf.GgmlType;
import io.starling.gguf.GgufFile;
import io.starling.tensor.MatMul;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * With a batch-invariant {@link MatMul}, a token's logits are the same bits whatever else shares its step: alone
 * (the single-token case), beside other sequences' decode tokens, inside a long prefill (where the token lanes
 * would run otherwise). This is what lets a resumed batch job or a server under any load answer exactly alike.
 */
class BatchInvarianceTest {

    private static final int[] A = {1, 17, 42, 5, 63, 8, 30, 2, 11, 40, 7, 19, 33, 4, 58, 21, 9, 12, 50, 3};
    private static final int[] B = {1, 9, 9, 50, 3, 21, 44, 6};
    private static final int[] C = {1, 60, 2, 28, 35};

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q4_0", "Q8_0"})
    void aTokensLogitsDoNotDependOnItsBatch(GgmlType type) throws Exception {
        Path path = SyntheticModel.builder().dims(128, 2, 4, 2, 256).vocab(64).context(64).type(type)
                .write(dir.resolve(type + ".gguf"));
        try (GgufFile file = GgufFile.open(path); MatMul matMul = new MatMul(2, MatMul.Activations.LLAMA_CPP, true)) {
            LlamaModel model = LlamaModel.load(file, matMul);
            float[][] aloneA = oneTokenAtATime(model, A);
            float[][] aloneB = oneTokenAtATime(model, B);
            float[][] aloneC = oneTokenAtATime(model, C);

            // all three prompts in one step (29 tokens: a whole token-lane group at any vector width)
            KvStore kvA = model.newKvStore(A.length);
            KvStore kvB = model.newKvStore(B.length);
            KvStore kvC = model.newKvStore(C.length);
            Logits together = model.forward(Batch.of(
                    new Batch.Sequence(kvA, 0, A, Batch.Outputs.ALL),
                    new Batch.Sequence(kvB, 0, Arrays.copyOf(B, 6), Batch.Outputs.ALL),
                    new Batch.Sequence(kvC, 0, Arrays.copyOf(C, 3), Batch.Outputs.ALL)));
            for (int i = 0; i < A.length; i++) {
                assertThat(together.row(i)).as("%s: A[%d] in a 29-token step", type, i).containsExactly(aloneA[i]);
            }
            for (int i = 0; i < 6; i++) {
                assertThat(together.row(A.length + i)).as("%s: B[%d]", type, i).containsExactly(aloneB[i]);
            }
            // then steps of two and three decode tokens, as a serving loop forms them
            Logits pair = model.forward(Batch.of(
                    new Batch.Sequence(kvC, 3, new int[] {C[3]}, Batch.Outputs.LAST),
                    new Batch.Sequence(kvB, 6, new int[] {B[6]}, Batch.Outputs.LAST)));
            assertThat(pair.row(0)).as("%s: C[3] beside B", type).containsExactly(aloneC[3]);
            assertThat(pair.row(1)).as("%s: B[6] beside C", type).containsExactly(aloneB[6]);
            Logits three = model.forward(Batch.of(
                    new Batch.Sequence(kvB, 7, new int[] {B[7]}, Batch.Outputs.LAST),
                    new Batch.Sequence(kvC, 4, new int[] {C[4]}, Batch.Outputs.LAST)));
            assertThat(three.row(0)).as("%s: B[7]", type).containsExactly(aloneB[7]);
            assertThat(three.row(1)).as("%s: C[4]", type).containsExactly(aloneC[4]);
        }
    }

    /** Each token in a step of its own, as a lone stream decodes. */
    private static float[][] oneTokenAtATime(LlamaModel model, int[] tokens) {
        KvStore kv = model.newKvStore(tokens.length);
        float[][] logits = new float[tokens.length][];
        for (int i = 0; i < tokens.length; i++) {
            logits[i] = model.forward(Batch.single(kv, i, new int[] {tokens[i]}, Batch.Outputs.LAST)).row(0);
        }
        return logits;
    }
}
