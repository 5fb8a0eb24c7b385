package io.starling.tokenizer;

import java.util.Arrays;

/**
 * Maps byte strings to int values and answers look-ups by a slice of a larger array, so the encoders
 * can ask "is bytes[from, from+len) a token?" without copying. Open addressing, at most half full, growing
 * as keys come.
 */
final class ByteSliceMap {
    private byte[][] keys;
    private int[] values;
    private int[] hashes;
    private int[] slots; // index into keys + 1; 0 = empty
    private int mask;
    private int size;

    /** @param expected the keys expected: room for them is made at once, more is made as needed */
    ByteSliceMap(int expected) {
        int entries = Math.max(4, expected);
        this.keys = new byte[entries][];
        this.values = new int[entries];
        this.hashes = new int[entries];
        resizeSlots(Integer.highestOneBit(entries * 2 - 1) << 1);
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
            keys = Arrays.copyOf(keys, size * 2);
            values = Arrays.copyOf(values, size * 2);
            hashes = Arrays.copyOf(hashes, size * 2);
        }
        if (2 * (size + 1) > slots.length) {
            resizeSlots(slots.length * 2);
            slot = emptySlot(hash);
        }
        keys[size] = key;
        values[size] = value;
        hashes[size] = hash;
        slots[slot] = size + 1;
        size++;
        return value;
    }

    private void resizeSlots(int tableSize) {
        slots = new int[tableSize];
        mask = tableSize - 1;
        for (int entry = 0; entry < size; entry++) {
            slots[emptySlot(hashes[entry])] = entry + 1;
        }
    }

    private int emptySlot(int hash) {
        int slot = hash & mask;
        while (slots[slot] != 0) {
            slot = (slot + 1) & mask;
        }
        return slot;
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
