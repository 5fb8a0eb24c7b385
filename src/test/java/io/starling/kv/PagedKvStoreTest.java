package io.starling.kv;

import static io.starling.kv.KvFixtures.KV_DIM;
import static io.starling.kv.KvFixtures.LAYERS;
import static io.starling.kv.KvFixtures.append;
import static io.starling.kv.KvFixtures.arena;
import static io.starling.kv.KvFixtures.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.starling.model.ContiguousKvStore;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** One store's reads and writes: the same values as the contiguous store, across page boundaries, checked access. */
class PagedKvStoreTest {

    @Test
    void readsAndWritesAcrossPageBoundariesMatchTheContiguousStore() throws Exception {
        int positions = 23; // five pages of four, the last one partly filled
        try (KvArena arena = arena(8)) {
            PagedKvStore paged = arena.newStore(64);
            ContiguousKvStore contiguous = new ContiguousKvStore(LAYERS, KV_DIM, 64);
            paged.pin();
            Random random = new Random(7);
            float[] key = new float[KV_DIM + 3];
            float[] value = new float[KV_DIM + 5];
            for (int p = 0; p < positions; p++) {
                paged.reserve(new int[] {p});
                for (int layer = 0; layer < LAYERS; layer++) {
                    for (int i = 0; i < key.length; i++) {
                        key[i] = (float) random.nextGaussian() * 3;
                    }
                    for (int i = 0; i < value.length; i++) {
                        value[i] = (float) random.nextGaussian() * 3;
                    }
                    paged.write(layer, p, key, 3, value, 5);
                    contiguous.write(layer, p, key, 3, value, 5);
                }
            }
            // every span, including ones starting and ending inside pages, read at an offset into dst
            for (int layer = 0; layer < LAYERS; layer++) {
                for (int from = 0; from <= positions; from++) {
                    for (int to = from; to <= positions; to++) {
                        assertSameSpan(paged, contiguous, layer, from, to);
                    }
                }
            }
        }
    }

    private static void assertSameSpan(PagedKvStore paged, ContiguousKvStore contiguous, int layer, int from, int to) {
        int n = (to - from) * KV_DIM;
        float[] expected = new float[n + 2];
        float[] actual = new float[n + 2];
        contiguous.readKeys(layer, from, to, expected, 2);
        paged.readKeys(layer, from, to, actual, 2);
        assertThat(actual).as("keys layer %d [%d, %d)", layer, from, to).containsExactly(expected);
        contiguous.readValues(layer, from, to, expected, 2);
        paged.readValues(layer, from, to, actual, 2);
        assertThat(actual).as("values layer %d [%d, %d)", layer, from, to).containsExactly(expected);
    }

    @Test
    void f32PagesKeepFloatsUnrounded() throws Exception {
        KvLayout layout = new KvLayout(1, 2, 2, KvDtype.F32);
        try (KvArena arena = new KvArena(layout, KvArenaConfig.inMemory(4 * layout.pageBytes()), KvArenaListener.NONE)) {
            PagedKvStore store = arena.newStore(8);
            store.pin();
            store.reserve(range(0, 3));
            float[] odd = {1.0001f, (float) Math.PI};
            for (int p = 0; p < 3; p++) {
                store.write(0, p, odd, 0, odd, 0);
            }
            float[] read = new float[6];
            store.readValues(0, 0, 3, read, 0);
            assertThat(read).containsExactly(1.0001f, (float) Math.PI, 1.0001f, (float) Math.PI, 1.0001f, (float) Math.PI);
        }
    }

    @Test
    void everyAccessPathRejectsWhatWouldGoWrong() throws Exception {
        try (KvArena arena = arena(4)) {
            PagedKvStore store = arena.newStore(6);
            float[] kv = new float[KV_DIM];
            assertThatThrownBy(() -> store.write(0, 0, kv, 0, kv, 0)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("without being pinned");
            assertThatThrownBy(() -> store.reserve(range(0, 1))).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("must be pinned");
            store.pin();
            assertThatThrownBy(() -> store.write(0, 0, kv, 0, kv, 0)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("not reserved");
            store.reserve(range(0, 3));
            assertThatThrownBy(() -> store.write(LAYERS, 0, kv, 0, kv, 0)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> store.write(0, 1, kv, 0, kv, 0)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("written before position 0");
            assertThatThrownBy(() -> store.write(0, 0, kv, 1, kv, 0)).isInstanceOf(IndexOutOfBoundsException.class);
            store.write(0, 0, kv, 0, kv, 0);
            float[] dst = new float[2 * KV_DIM];
            assertThatThrownBy(() -> store.readKeys(0, 0, 2, dst, 0)).isInstanceOf(IndexOutOfBoundsException.class)
                    .hasMessageContaining("only [0, 1) are written");
            assertThatThrownBy(() -> store.readKeys(0, 0, 1, dst, KV_DIM + 1)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> store.reserve(range(0, 4))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("do not fit");
            store.unpin();
            store.close();
            assertThatThrownBy(store::pin).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        }
    }

    @Test
    void aFullPageIsPublishedAndNeverWrittenAgain() throws Exception {
        try (KvArena arena = arena(4)) {
            PagedKvStore store = arena.newStore(16);
            store.pin();
            append(store, range(10, 5));
            float[] kv = new float[KV_DIM];
            assertThatThrownBy(() -> store.write(0, 3, kv, 0, kv, 0)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("shared or published");
            store.write(0, 4, kv, 0, kv, 0); // the partly filled page stays writable
        }
    }

    @Test
    void constructionRejectsImpossibleShapes() {
        assertThatThrownBy(() -> new KvLayout(0, 4, 4, KvDtype.F16)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new KvArena(KvFixtures.LAYOUT, KvArenaConfig.inMemory(KvFixtures.LAYOUT.pageBytes() - 1),
                KvArenaListener.NONE)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot hold one page");
        try (KvArena arena = arena(1)) {
            assertThatThrownBy(() -> arena.newStore(0)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
