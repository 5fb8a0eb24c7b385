package io.starling.tokenizer;

import java.util.Arrays;

/**
 * Maps byte strings to int values and answers look-ups by a slice of a larger array, so the encoders
 * can ask "is bytes[from, from+len) a token?" without copying. Open addressing, fixed capacity.
 */
final class ByteSliceMap {
    private final byte[][] keys;
    private final int[] values;
    private final int[] hashes;
    private final int[] slots; // index into keys + 1; 0 = empty
    private final int mask;
    private int size;

    ByteSliceMap(int capacity) {
        int tableSize = Integer.highestOneBit(Math.max(4, capacity * 2 - 1)) << 1;
        this.keys = new byte[capacity][];
        this.values = new int[capacity];
        this.hashes = new int[capacity];
        this.slots = new int[tableSize];
        this.mask = tableSize - 1;
    }

    int size() {
        return size;
    }

    /** Adds the key unless present; returns the value now stored for it. */
    int putIfAbsent(byte[] key, int value) {
        int hash = hash(key, 0, key.length);
        int slot = hash & mask;
        while (slots[slot] != 0) {
            int entry = slots[slot] - 1;
            if (hashes[entry] == hash && Arrays.equals(keys[entry], key)) {
                return values[entry];
            }
            slot = (slot + 1) & mask;
        }
        if (size == keys.length) {
            throw new IllegalStateException("ByteSliceMap is full (" + size + ")");
        }
        keys[size] = key;
        values[size] = value;
        hashes[size] = hash;
        slots[slot] = size + 1;
        size++;
        return value;
    }

    /** The value for bytes[from, from+length), or -1. */
    int get(byte[] bytes, int from, int length) {
        int hash = hash(bytes, from, length);
        int slot = hash & mask;
        while (slots[slot] != 0) {
            int entry = slots[slot] - 1;
            if (hashes[entry] == hash && sameBytes(keys[entry], bytes, from, length)) {
                return values[entry];
            }
            slot = (slot + 1) & mask;
        }
        return -1;
    }

    /** A plain loop: tokens are short, and Arrays.equals' vectorized setup costs more than it saves here. */
    private static boolean sameBytes(byte[] key, byte[] bytes, int from, int length) {
        if (key.length != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (key[i] != bytes[from + i]) {
                return false;
            }
        }
        return true;
    }

    private static int hash(byte[] bytes, int from, int length) {
        int h = 0x811C9DC5;
        for (int i = from, end = from + length; i < end; i++) {
            h = (h ^ bytes[i]) * 0x01000193;
        }
        return h ^ (h >>> 16);
    }
}
