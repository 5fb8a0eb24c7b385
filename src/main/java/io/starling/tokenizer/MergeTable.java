package io.starling.tokenizer;

import java.util.Arrays;

/**
 * A map from (left symbol, right symbol) to a 24-bit value (a BPE merge rank, or the token a SentencePiece
 * pair forms), packed one entry per long (20-bit ids) in an open-addressing table: the look-up is the
 * hottest memory access of encoding, and one long per probe keeps it to a single cache line. The table is
 * kept at most half full, growing as pairs come.
 */
final class MergeTable {
    static final int MAX_SYMBOLS = (1 << 20) - 1;
    static final int MAX_RANKS = 1 << 24;
    private static final long EMPTY = -1L;

    private long[] entries;
    private int mask;
    private int size;

    /** @param expected the pairs expected: room for them is made at once, more is made as needed */
    MergeTable(int expected) {
        if (expected > MAX_RANKS) {
            throw new TokenizerException("too many merge rules: " + expected + " (at most " + MAX_RANKS + ")");
        }
        resize(Integer.highestOneBit(Math.max(4, expected) * 2 - 1) << 1);
    }

    private void resize(int tableSize) {
        long[] old = entries;
        entries = new long[tableSize];
        Arrays.fill(entries, EMPTY);
        mask = tableSize - 1;
        if (old != null) {
            for (long entry : old) {
                if (entry != EMPTY) {
                    int left = (int) (entry >>> 44);
                    int right = (int) (entry >>> 24) & MAX_SYMBOLS;
                    entries[emptySlot(left, right)] = entry;
                }
            }
        }
    }

    private int emptySlot(int left, int right) {
        int slot = slot(left, right);
        while (entries[slot] != EMPTY) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    /** Keeps the first value given for a pair, as llama.cpp's merge map does. */
    void putIfAbsent(int left, int right, int value) {
        if (left > MAX_SYMBOLS || right > MAX_SYMBOLS) {
            throw new TokenizerException("vocabulary too large for the merge table (" + Math.max(left, right) + " symbols)");
        }
        long pair = pair(left, right);
        int slot = slot(left, right);
        while (entries[slot] != EMPTY) {
            if ((entries[slot] >>> 24) == pair) {
                return;
            }
            slot = (slot + 1) & mask;
        }
        if (2 * (size + 1) > entries.length) {
            resize(entries.length * 2);
            slot = emptySlot(left, right);
        }
        entries[slot] = (pair << 24) | value;
        size++;
    }

    /** The value for the pair, or -1. */
    int get(int left, int right) {
        long pair = pair(left, right);
        for (int slot = slot(left, right); ; slot = (slot + 1) & mask) {
            long entry = entries[slot];
            if (entry == EMPTY) {
                return -1;
            }
            if ((entry >>> 24) == pair) {
                return (int) (entry & (MAX_RANKS - 1));
            }
        }
    }

    private static long pair(int left, int right) {
        return ((long) left << 20) | right;
    }

    private int slot(int left, int right) {
        int h = left * 0x9E3779B1 + right * 0x85EBCA77;
        return (h ^ (h >>> 15)) & mask;
    }
}
