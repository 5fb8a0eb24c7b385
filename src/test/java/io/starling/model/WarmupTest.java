package io.starling.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.starling.gguf.GgmlType;
import io.starling.gguf.GgufFile;
import io.starling.tensor.MatMul;
import io.starling.tensor.Vectors;
import io.starling.tensor.WeightMatrix;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WarmupTest {

    @TempDir
    static Path dir;
    private static GgufFile file;
    private static MatMul matMul;
    private static LlamaWeights weights;

    @BeforeAll
    static void load() throws Exception {
        SyntheticModel shape = SyntheticModel.small();
        file = GgufFile.open(shape.type(GgmlType.Q4_0).write(dir.resolve("q4.gguf")));
        matMul = new MatMul(2);
        weights = LlamaWeights.of(file, ModelShape.of(file));
    }

    @AfterAll
    static void close() {
        matMul.close();
        file.close();
    }

    @Test
    void kernelsAreWarmedOnTheFirstRowsOfEachKindOfMatrix() {
        List<WeightMatrix> kinds = Warmup.kernelKinds(weights);
        // Q4_0 rows of 64 columns (attention, gate, up) and of 160 (down), the Q8_0 output head's of 64
        assertThat(kinds).extracting(w -> w.format().type() + "x" + w.cols())
                .containsExactly("Q4_0x64", "Q4_0x160", "Q8_0x64");
        for (WeightMatrix w : kinds) {
            assertThat(w.rows()).isLessThanOrEqualTo(Warmup.ROWS);
            assertThat(w.data().byteSize()).isEqualTo(w.rows() * w.rowBytes());
        }
    }

    @Test
    void batchesReachTheTokenLaneKernelsAndAscend() {
        int[] batches = Warmup.kernelBatches();
        assertThat(batches).isSorted().contains(1, 8, 9);
        assertThat(batches[batches.length - 1]).isGreaterThanOrEqualTo(3 * Vectors.floatLanes());
    }

    @Test
    void stepsEndAndLeaveTheModelComputingWhatAColdOneDoes() {
        int[] prompt = new Random(7).ints(21, 0, 96).toArray();
        float[][] cold = logits(new LlamaModel(weights, matMul), prompt);

        LlamaModel model = new LlamaModel(weights, matMul);
        Warmup warmup = new Warmup(model);
        int steps = 0;
        while (warmup.step()) {
            steps++;
            assertThat(steps).as("steps before the warm-up ends").isLessThan(100_000);
        }
        assertThat(warmup.done()).isTrue();
        assertThat(warmup.step()).isFalse();
        assertThat(warmup.kernelRounds()).isGreaterThan(Warmup.STEADY_ROUNDS).isLessThanOrEqualTo(Warmup.MAX_ROUNDS);
        // two layers: 334 rounds of nine forward passes before each layer's code has run LAYER_CALLS times
        int minRounds = Math.ceilDiv(Warmup.LAYER_CALLS, 9 * 2);
        assertThat(warmup.forwardRounds()).isGreaterThanOrEqualTo(minRounds)
                .isLessThanOrEqualTo(minRounds + Warmup.MAX_ROUNDS);
        assertThat(warmup.busyNanos()).isPositive();

        float[][] warm = logits(model, prompt);
        for (int t = 0; t < prompt.length; t++) {
            assertThat(warm[t]).as("token %d", t).containsExactly(cold[t]);
        }
    }

    @Test
    void aStoreThatFailsToOpenEndsTheWarmUpWithEveryOpenedStoreClosedAndTheStoresReleased() {
        LlamaModel model = new LlamaModel(weights, matMul);
        RecordingStores stores = new RecordingStores(Warmup.Stores.contiguous(model), 3);
        Warmup warmup = new Warmup(model, stores);
        assertThatThrownBy(() -> {
            while (warmup.step()) {
                // until the third store fails to open, in the forward phase's first item
            }
        }).isInstanceOf(IllegalStateException.class).hasMessageContaining("store 3");

        warmup.close();
        assertThat(stores.opened).hasSize(2);
        assertThat(stores.closed).containsExactlyElementsOf(stores.opened);
        assertThat(stores.released).isTrue();
        assertThat(warmup.step()).isFalse();
    }

    private static float[][] logits(LlamaModel model, int[] prompt) {
        KvStore kv = model.newKvStore(prompt.length);
        Logits out = model.forward(Batch.single(kv, 0, prompt, Batch.Outputs.ALL));
        float[][] rows = new float[prompt.length][];
        for (int t = 0; t < prompt.length; t++) {
            rows[t] = out.row(t).clone();
        }
        return rows;
    }
}
