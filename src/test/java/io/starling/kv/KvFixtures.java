package io.starling.kv;

import java.nio.file.Path;

/** Small arenas and recognisable KV content for the arena's unit tests. */
final class KvFixtures {

    static final int LAYERS = 3;
    static final int KV_DIM = 4;
    static final int PAGE = 4;
    static final KvLayout LAYOUT = new KvLayout(LAYERS, KV_DIM, PAGE, KvDtype.F16);

    private KvFixtures() {
    }

    /** An arena of exactly {@code pages} pages that drops evicted pages. */
    static KvArena arena(int pages) {
        return new KvArena(LAYOUT, KvArenaConfig.inMemory(pages * LAYOUT.pageBytes()), KvArenaListener.NONE);
    }

    /** An arena of {@code pages} pages spilling up to {@code spillPages} pages to {@code file}. */
    static KvArena spillingArena(int pages, Path file, int spillPages) {
        return new KvArena(LAYOUT, KvArenaConfig.inMemory(pages * LAYOUT.pageBytes())
                .withSpill(file, spillPages * LAYOUT.pageBytes()), KvArenaListener.NONE);
    }

    /**
     * The key (or value) element {@code i} of {@code token} at {@code position} in {@code layer}: a function of the
     * token and position only, so stores sharing a prefix hold equal content, and exact in F16 (multiples of 1/8
     * below 128).
     */
    static float element(int token, int position, int layer, boolean value, int i) {
        int n = (token * 31 + position * 7 + layer * 3 + (value ? 5 : 0) + i) % 1000;
        return n / 8f;
    }

    /** Reserves {@code tokens} and writes their elements in every layer, as a forward pass would. */
    static void append(PagedKvStore store, int... tokens) throws KvCacheFullException {
        int start = store.length();
        store.reserve(tokens);
        float[] key = new float[KV_DIM];
        float[] value = new float[KV_DIM];
        for (int layer = 0; layer < LAYERS; layer++) {
            for (int t = 0; t < tokens.length; t++) {
                int position = start + t;
                for (int i = 0; i < KV_DIM; i++) {
                    key[i] = element(tokens[t], position, layer, false, i);
                    value[i] = element(tokens[t], position, layer, true, i);
                }
                store.write(layer, position, key, 0, value, 0);
            }
        }
    }

    /** Asserts (by exception) that every written position holds what {@link #append} wrote for its token. */
    static void verifyContent(PagedKvStore store) {
        int[] tokens = store.tokens();
        float[] keys = new float[tokens.length * KV_DIM];
        float[] values = new float[tokens.length * KV_DIM];
        for (int layer = 0; layer < LAYERS; layer++) {
            store.readKeys(layer, 0, tokens.length, keys, 0);
            store.readValues(layer, 0, tokens.length, values, 0);
            for (int p = 0; p < tokens.length; p++) {
                for (int i = 0; i < KV_DIM; i++) {
                    check(keys[p * KV_DIM + i], element(tokens[p], p, layer, false, i), store, layer, p);
                    check(values[p * KV_DIM + i], element(tokens[p], p, layer, true, i), store, layer, p);
                }
            }
        }
    }

    private static void check(float actual, float expected, PagedKvStore store, int layer, int position) {
        if (actual != expected) {
            throw new AssertionError("store " + store.id() + " layer " + layer + " position " + position + ": "
                    + actual + " != " + expected);
        }
    }

    static int[] range(int from, int count) {
        int[] tokens = new int[count];
        for (int i = 0; i < count; i++) {
            tokens[i] = from + i;
        }
        return tokens;
    }
}
