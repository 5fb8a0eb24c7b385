package io.starling.tokenizer;

import java.util.Arrays;

/**
 * BPE merge ranks by (left symbol, right symbol), packed one entry per long (20-bit ids, 24-bit rank) in
 * an open-addressing table: the look-up is the hottest memory access of BPE encoding, and one long per
 * probe keeps it to a single cache line.
 */
final class MergeTable {
    static final int MAX_SYMBOLS = (1 << 20) - 1;
    static final int MAX_RANKS = 1 << 24;
    private static final long EMPTY = -1L;

    private final long[] entries;
    private final int mask;

    MergeTable(int capacity) {
        if (capacity > MAX_RANKS) {
            throw new TokenizerException("too many BPE merges: " + capacity + " (at most " + MAX_RANKS + ")");
        }
        int tableSize = Integer.highestOneBit(Math.max(4, capacity * 2 - 1)) << 1;
        entries = new long[tableSize];
        Arrays.fill(entries, EMPTY);
        mask = tableSize - 1;
    }

    /** Keeps the first rank given for a pair, as llama.cpp's map does. */
    void putIfAbsent(int left, int right, int rank) {
        if (left > MAX_SYMBOLS || right > MAX_SYMBOLS) {
            throw new TokenizerException("BPE vocabulary too large for the merge table (" + Math.max(left, right) + " symbols)");
        }
        long pair = pair(left, right);
        int slot = slot(left, right);
        while (entries[slot] != EMPTY) {
            if ((entries[slot] >>> 24) == pair) {
                return;
            }
            slot = (slot + 1) & mask;
        }
        entries[slot] = (pair << 24) | rank;
    }

    /** The rank of merging {@code left} and {@code right}, or -1. */
    int rank(int left, int right) {
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
