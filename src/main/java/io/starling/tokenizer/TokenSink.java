package io.starling.tokenizer;

import java.util.Arrays;

/** Collects token ids with their source byte spans while an input is encoded. */
final class TokenSink {
    private int[] ids;
    private int[] starts;
    private int[] ends;
    private int size;

    TokenSink(int expected) {
        int capacity = Math.max(8, expected);
        ids = new int[capacity];
        starts = new int[capacity];
        ends = new int[capacity];
    }

    void add(int id, int start, int end) {
        if (size == ids.length) {
            int capacity = size * 2;
            ids = Arrays.copyOf(ids, capacity);
            starts = Arrays.copyOf(starts, capacity);
            ends = Arrays.copyOf(ends, capacity);
        }
        ids[size] = id;
        starts[size] = start;
        ends[size] = end;
        size++;
    }

    /**
     * The result, with spans made to cover the input exactly: input bytes no token stands for (BPE
     * bytes missing from the vocabulary) are given to the token before them, or the first token.
     */
    EncodedText toEncodedText(int inputLength) {
        int previousEnd = 0;
        for (int i = 0; i < size; i++) {
            if (starts[i] > previousEnd) {
                if (i == 0) {
                    starts[0] = 0;
                } else {
                    ends[i - 1] = starts[i];
                }
            }
            previousEnd = ends[i];
        }
        if (size > 0 && ends[size - 1] < inputLength) {
            ends[size - 1] = inputLength;
        }
        return new EncodedText(Arrays.copyOf(ids, size), Arrays.copyOf(starts, size), Arrays.copyOf(ends, size));
    }
}
