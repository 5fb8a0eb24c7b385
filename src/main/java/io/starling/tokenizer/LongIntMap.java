package io.starling.tokenizer;

import java.util.Arrays;

/** An open-addressing map from long keys to non-negative ints; -1 means absent. Fixed capacity. */
final class LongIntMap {
    private static final long EMPTY = Long.MIN_VALUE;

    private final long[] keys;
    private final int[] values;
    private final int mask;

    LongIntMap(int capacity) {
        int tableSize = Integer.highestOneBit(Math.max(4, capacity * 2 - 1)) << 1;
        keys = new long[tableSize];
        values = new int[tableSize];
        Arrays.fill(keys, EMPTY);
        mask = tableSize - 1;
    }

    /** Keeps the first value put for a key. */
    void putIfAbsent(long key, int value) {
        int slot = slot(key);
        while (keys[slot] != EMPTY) {
            if (keys[slot] == key) {
                return;
            }
            slot = (slot + 1) & mask;
        }
        keys[slot] = key;
        values[slot] = value;
    }

    int get(long key) {
        int slot = slot(key);
        while (keys[slot] != EMPTY) {
            if (keys[slot] == key) {
                return values[slot];
            }
            slot = (slot + 1) & mask;
        }
        return -1;
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }
}
