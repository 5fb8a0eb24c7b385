package io.starling.sampling;

import java.util.Arrays;

/**
 * Orders token candidates by logit, best first, ties to the lower id, without boxing: each candidate is packed
 * into one long whose natural order is that order, so a partial selection plus a sort of the survivors replaces a
 * full sort of the vocabulary. A few best of many (top-k sampling, top logprobs) are kept in a bounded heap while
 * the candidates stream past, one read of each and nothing written per candidate; more are selected in place by a
 * quickselect over all the keys.
 */
final class TopSelection {

    /** Up to this many best candidates, {@link #offer} into a heap beats writing every key for a quickselect. */
    static final int HEAP_LIMIT = 64;

    private TopSelection() {
    }

    /** The packed key of {@code token} with logit {@code value}: smaller keys are better candidates. */
    static long key(float value, int token) {
        int bits = Float.floatToIntBits(value);
        int ordered = bits ^ ((bits >> 31) & 0x7fffffff); // signed-int order equals float order
        return ((long) ~ordered << 32) | (token & 0xffffffffL);
    }

    static int token(long key) {
        return (int) key;
    }

    /**
     * Offers {@code key} to the best {@code k} keys seen so far, kept in {@code heap[0, size)} as a max-heap (the worst
     * of them at the root); returns the new size. After the last offer, {@link #sortHeap} puts them best first.
     */
    static int offer(long[] heap, int size, int k, long key) {
        if (size < k) {
            // sift up from the new leaf
            int child = size;
            while (child > 0) {
                int parent = (child - 1) >>> 1;
                if (heap[parent] >= key) {
                    break;
                }
                heap[child] = heap[parent];
                child = parent;
            }
            heap[child] = key;
            return size + 1;
        }
        if (key >= heap[0]) {
            return size;
        }
        // replace the worst and sift it down
        int parent = 0;
        while (true) {
            int child = 2 * parent + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && heap[child + 1] > heap[child]) {
                child++;
            }
            if (heap[child] <= key) {
                break;
            }
            heap[parent] = heap[child];
            parent = child;
        }
        heap[parent] = key;
        return size;
    }

    /** The keys {@link #offer}ed into {@code heap[0, size)}, best first. */
    static void sortHeap(long[] heap, int size) {
        Arrays.sort(heap, 0, size);
    }

    /** Rearranges {@code keys[0, n)} so its best {@code k} candidates come first, in order. */
    static void selectBest(long[] keys, int n, int k) {
        if (k < n) {
            quickselect(keys, 0, n - 1, k);
        }
        Arrays.sort(keys, 0, Math.min(k, n));
    }

    /** Partitions so that {@code keys[0, k)} hold the k smallest keys (in any order). */
    private static void quickselect(long[] keys, int lo, int hi, int k) {
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            long pivot = median(keys[lo], keys[mid], keys[hi]);
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (keys[i] < pivot) {
                    i++;
                }
                while (keys[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    long t = keys[i];
                    keys[i] = keys[j];
                    keys[j] = t;
                    i++;
                    j--;
                }
            }
            // now keys[lo..j] <= pivot <= keys[i..hi]; continue in the part holding index k-1
            if (k - 1 <= j) {
                hi = j;
            } else if (k - 1 >= i) {
                lo = i;
            } else {
                return;
            }
        }
    }

    private static long median(long a, long b, long c) {
        return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
    }
}
