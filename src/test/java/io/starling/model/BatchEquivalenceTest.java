package io.starling.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.starling.gguf.GgmlType;
import io.starling.gguf.GgufFile;
import io.starling.tensor.MatMul;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One forward API for prefill and decode: how tokens are grouped into batches must not change the logits. */
class BatchEquivalenceTest {

    private static final float TOLERANCE = 1e-5f;
    private static final int[] A = {1, 17, 42, 5, 63, 8, 30, 2, 11};
    private static final int[] B = {1, 9, 9, 50, 3, 21};

    @TempDir
    static Path dir;
    private static GgufFile file;
    private static MatMul matMul;
    private static LlamaModel model;

    @BeforeAll
    static void load() throws Exception {
        Path path = SyntheticModel.builder().dims(64, 2, 4, 2, 96).vocab(64).context(32).type(GgmlType.F32)
                .write(dir.resolve("tiny.gguf"));
        file = GgufFile.open(path);
        matMul = new MatMul(2);
        model = LlamaModel.load(file, matMul);
    }

    @AfterAll
    static void close() {
        matMul.close();
        file.close();
    }

    @Test
    void prefillInOneBatchEqualsFeedingTokensOneByOne() {
        float[][] batched = allLogits(A);
        KvStore kv = model.newKvStore(A.length);
        for (int i = 0; i < A.length; i++) {
            Logits logits = model.forward(Batch.single(kv, i, new int[] {A[i]}, Batch.Outputs.LAST));
            assertThat(logits.row(0)).as("token " + i).containsExactly(batched[i], within(TOLERANCE));
        }
    }

    @Test
    void prefillInChunksEqualsOneBatch() {
        float[][] batched = allLogits(A);
        KvStore kv = model.newKvStore(A.length);
        model.forward(Batch.single(kv, 0, Arrays.copyOfRange(A, 0, 4), Batch.Outputs.NONE));
        Logits logits = model.forward(Batch.single(kv, 4, Arrays.copyOfRange(A, 4, A.length), Batch.Outputs.ALL));
        for (int i = 4; i < A.length; i++) {
            assertThat(logits.row(i - 4)).containsExactly(batched[i], within(TOLERANCE));
        }
    }

    @Test
    void twoSequencesInterleavedInOneBatchEqualEachAlone() {
        float[][] aloneA = allLogits(A);
        float[][] aloneB = allLogits(B);
        KvStore kvA = model.newKvStore(A.length);
        KvStore kvB = model.newKvStore(B.length);
        // A prefills 3 tokens while B prefills 4, then both decode one token per step in the same batch
        Logits first = model.forward(Batch.of(
                new Batch.Sequence(kvA, 0, Arrays.copyOfRange(A, 0, 3), Batch.Outputs.LAST),
                new Batch.Sequence(kvB, 0, Arrays.copyOfRange(B, 0, 4), Batch.Outputs.ALL)));
        assertThat(first.rows()).isEqualTo(5);
        assertThat(first.row(0)).containsExactly(aloneA[2], within(TOLERANCE));
        for (int i = 0; i < 4; i++) {
            assertThat(first.row(1 + i)).containsExactly(aloneB[i], within(TOLERANCE));
        }
        for (int step = 0; step < 2; step++) {
            int posA = 3 + step;
            int posB = 4 + step;
            Batch batch = Batch.of(
                    new Batch.Sequence(kvB, posB, new int[] {B[posB]}, Batch.Outputs.LAST),
                    new Batch.Sequence(kvA, posA, new int[] {A[posA]}, Batch.Outputs.LAST));
            Logits logits = model.forward(batch);
            assertThat(batch.firstOutputRow(1)).isEqualTo(1);
            assertThat(logits.row(0)).containsExactly(aloneB[posB], within(TOLERANCE));
            assertThat(logits.row(1)).containsExactly(aloneA[posA], within(TOLERANCE));
        }
    }

    @Test
    void positionsBeyondTheContextAreRejectedWithAClearMessage() {
        KvStore kv = new ContiguousKvStore(model.shape().layers(), model.shape().kvDim(), 64);
        assertThatThrownBy(() -> model.forward(Batch.single(kv, 31, new int[] {1, 2}, Batch.Outputs.LAST)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("position 32")
                .hasMessageContaining("context length of 32");
    }

    @Test
    void tokenIdsOutsideTheVocabularyAreRejected() {
        assertThatThrownBy(() -> model.forward(Batch.single(model.newKvStore(4), 0, new int[] {64}, Batch.Outputs.LAST)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("token id 64");
    }

    @Test
    void aSequenceMayNotAppearTwiceInOneBatch() {
        KvStore kv = model.newKvStore(4);
        assertThatThrownBy(() -> Batch.of(new Batch.Sequence(kv, 0, new int[] {1}, Batch.Outputs.NONE),
                new Batch.Sequence(kv, 1, new int[] {2}, Batch.Outputs.LAST)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void tiedOutputClassifiesWithTheEmbeddingTable() throws Exception {
        Path path = SyntheticModel.builder().tiedOutput(true).write(dir.resolve("tied.gguf"));
        try (GgufFile tied = GgufFile.open(path)) {
            ModelShape shape = ModelShape.of(tied);
            assertThat(shape.tiedOutput()).isTrue();
            LlamaWeights weights = LlamaWeights.of(tied, shape);
            assertThat(weights.output()).isSameAs(weights.tokenEmbedding());
            Logits logits = new LlamaModel(weights, matMul).forward(Batch.single(
                    ContiguousKvStore.forShape(shape, 2), 0, new int[] {1, 2}, Batch.Outputs.LAST));
            assertThat(logits.rows()).isEqualTo(1);
            assertThat(logits.vocabSize()).isEqualTo(64);
        }
    }

    @Test
    void embeddingsAreUnitLengthDeterministicAndTellTextsApart() {
        float[] a = model.embed(A);
        float[] again = model.embed(A);
        float[] b = model.embed(B);
        double norm = 0;
        for (float v : a) {
            norm += v * v;
        }
        assertThat(Math.sqrt(norm)).isCloseTo(1.0, within(1e-5));
        assertThat(again).containsExactly(a);
        assertThat(b).isNotEqualTo(a);
    }

    private static float[][] allLogits(int[] tokens) {
        Logits logits = model.forward(Batch.single(model.newKvStore(tokens.length), 0, tokens, Batch.Outputs.ALL));
        float[][] rows = new float[tokens.length][];
        for (int i = 0; i < tokens.length; i++) {
            rows[i] = logits.row(i);
        }
        return rows;
    }
}
