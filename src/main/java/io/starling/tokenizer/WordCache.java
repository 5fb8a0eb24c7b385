package io.starling.tokenizer;

import java.util.Arrays;

/**
 * Remembers the tokens of words already merged during one encode call: prose repeats its words, and a
 * word's tokens depend only on its bytes, so repeats skip merging. Bounded and per call, so it needs no
 * locking and holds nothing between requests.
 */
final class WordCache {
    static final int MAX_WORD_BYTES = 48;
    private static final int MAX_ENTRIES = 4096;
    private static final int SLOTS = MAX_ENTRIES * 2;

    private final int[] slots = new int[SLOTS]; // entry + 1; 0 = empty
    private final int[] hashes = new int[MAX_ENTRIES];
    private final int[] keyStarts = new int[MAX_ENTRIES + 1];
    private final int[] tokenStarts = new int[MAX_ENTRIES + 1];
    private byte[] keys = new byte[MAX_ENTRIES * 8];
    private int[] tokens = new int[MAX_ENTRIES * 6]; // (id, start, end) relative to the word
    private int size;

    /** The entry for bytes[from, from+length), or -1. */
    int find(byte[] bytes, int from, int length) {
        int hash = hash(bytes, from, length);
        for (int slot = hash & (SLOTS - 1); slots[slot] != 0; slot = (slot + 1) & (SLOTS - 1)) {
            int entry = slots[slot] - 1;
            if (hashes[entry] == hash
                    && Arrays.equals(keys, keyStarts[entry], keyStarts[entry + 1], bytes, from, from + length)) {
                return entry;
            }
        }
        return -1;
    }

    /** Stores a word's token triples unless the cache is full. */
    void put(byte[] bytes, int from, int length, IntList triples) {
        if (size == MAX_ENTRIES) {
            return;
        }
        int keyStart = keyStarts[size];
        int tokenStart = tokenStarts[size];
        if (keyStart + length > keys.length) {
            keys = Arrays.copyOf(keys, Math.max(keys.length * 2, keyStart + length));
        }
        if (tokenStart + triples.size() > tokens.length) {
            tokens = Arrays.copyOf(tokens, Math.max(tokens.length * 2, tokenStart + triples.size()));
        }
        System.arraycopy(bytes, from, keys, keyStart, length);
        for (int i = 0; i < triples.size(); i++) {
            tokens[tokenStart + i] = triples.get(i);
        }
        int hash = hash(bytes, from, length);
        hashes[size] = hash;
        keyStarts[size + 1] = keyStart + length;
        tokenStarts[size + 1] = tokenStart + triples.size();
        int slot = hash & (SLOTS - 1);
        while (slots[slot] != 0) {
            slot = (slot + 1) & (SLOTS - 1);
        }
        slots[slot] = ++size;
    }

    /** Appends an entry's tokens for the word at processed position {@code wordFrom}. */
    void emit(int entry, ProcessedText text, int wordFrom, TokenSink sink) {
        for (int i = tokenStarts[entry]; i < tokenStarts[entry + 1]; i += 3) {
            sink.add(tokens[i], text.source(wordFrom + tokens[i + 1]), text.source(wordFrom + tokens[i + 2]));
        }
    }

    private static int hash(byte[] bytes, int from, int length) {
        int h = 0x811C9DC5;
        for (int i = from, end = from + length; i < end; i++) {
            h = (h ^ bytes[i]) * 0x01000193;
        }
        return h ^ (h >>> 15);
    }
}
