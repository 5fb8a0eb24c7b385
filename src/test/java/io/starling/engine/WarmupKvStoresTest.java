package io.starling.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.gguf.GgmlType;
import io.starling.gguf.GgufFile;
import io.starling.kv.KvDtype;
import io.starling.kv.KvLayout;
import io.starling.kv.PagedKvStore;
import io.starling.model.LlamaModel;
import io.starling.model.ModelShape;
import io.starling.model.RecordingStores;
import io.starling.model.SyntheticModel;
import io.starling.model.Warmup;
import io.starling.tensor.MatMul;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WarmupKvStoresTest {

    @TempDir
    static Path dir;
    private static GgufFile file;
    private static MatMul matMul;

    @BeforeAll
    static void load() throws Exception {
        SyntheticModel shape = SyntheticModel.small();
        file = GgufFile.open(shape.type(GgmlType.Q8_0).write(dir.resolve("m.gguf")));
        matMul = new MatMul(2);
    }

    @AfterAll
    static void close() {
        matMul.close();
        file.close();
    }

    @Test
    void theWarmUpRunsOnPagedStoresAndClosesEveryOne() {
        LlamaModel model = LlamaModel.load(file, matMul);
        WarmupKvStores paged = pagedStores(model.shape());
        RecordingStores stores = new RecordingStores(paged);
        Warmup warmup = new Warmup(model, stores);
        while (warmup.step()) {
            assertThat(paged.holdsArena()).as("arena while the warm-up runs")
                    .isEqualTo(!stores.opened.isEmpty() && !warmup.done());
        }

        assertThat(paged.holdsArena()).as("arena after the warm-up").isFalse();
        assertThat(warmup.forwardRounds()).isPositive();
        assertThat(stores.opened).hasSize(warmup.forwardRounds() * Warmup.SEQUENCES)
                .allSatisfy(kv -> assertThat(kv).isInstanceOf(PagedKvStore.class))
                .allSatisfy(kv -> assertThat(((PagedKvStore) kv).state()).isEqualTo(PagedKvStore.State.CLOSED));
        assertThat(stores.closed).containsExactlyInAnyOrderElementsOf(stores.opened);
    }

    @Test
    void closingBeforeTheEndFreesTheRoundsStores() {
        LlamaModel model = LlamaModel.load(file, matMul);
        WarmupKvStores paged = pagedStores(model.shape());
        RecordingStores stores = new RecordingStores(paged);
        Warmup warmup = new Warmup(model, stores);
        while (stores.opened.isEmpty()) {
            warmup.step();
        }
        warmup.step();

        warmup.close();
        warmup.close();
        assertThat(stores.closed).containsExactlyInAnyOrderElementsOf(stores.opened);
        assertThat(paged.holdsArena()).isFalse();
        assertThat(warmup.done()).isTrue();
        assertThat(warmup.step()).as("a step after close").isFalse();
    }

    /** F16 pages of 16 positions, as the serving cache's default. */
    private static WarmupKvStores pagedStores(ModelShape shape) {
        return new WarmupKvStores(new KvLayout(shape.layers(), shape.kvDim(), 16, KvDtype.F16));
    }
}
