package io.starling.tokenizer;

/**
 * A binary min-heap of (long key, int payload) pairs on primitive arrays, reused across words.
 * The encoders pack the merge priority and the left symbol index into the key, so ties break
 * towards the leftmost pair exactly as llama.cpp's comparators do.
 */
final class BigramQueue {
    private long[] keys = new long[64];
    private int[] payloads = new int[64];
    private int size;
    private long topKey;
    private int topPayload;

    void clear() {
        size = 0;
    }

    boolean isEmpty() {
        return size == 0;
    }

    void push(long key, int payload) {
        if (size == keys.length) {
            keys = java.util.Arrays.copyOf(keys, size * 2);
            payloads = java.util.Arrays.copyOf(payloads, size * 2);
        }
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (keys[parent] <= key) {
                break;
            }
            keys[i] = keys[parent];
            payloads[i] = payloads[parent];
            i = parent;
        }
        keys[i] = key;
        payloads[i] = payload;
    }

    /** Removes the smallest entry; read it with {@link #polledKey()} and {@link #polledPayload()}. */
    void poll() {
        topKey = keys[0];
        topPayload = payloads[0];
        size--;
        if (size == 0) {
            return;
        }
        long key = keys[size];
        int payload = payloads[size];
        int i = 0;
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            if (child + 1 < size && keys[child + 1] < keys[child]) {
                child++;
            }
            if (key <= keys[child]) {
                break;
            }
            keys[i] = keys[child];
            payloads[i] = payloads[child];
            i = child;
        }
        keys[i] = key;
        payloads[i] = payload;
    }

    long polledKey() {
        return topKey;
    }

    int polledPayload() {
        return topPayload;
    }
}
