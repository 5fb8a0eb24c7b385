package io.starling.sampling;

import java.util.Arrays;

/**
 * Orders token candidates by logit, best first, ties to the lower id, without boxing: each candidate is packed
 * into one long whose natural order is that order, so a partial quickselect plus a sort of the survivors replaces a
 * full sort of the vocabulary.
 */
final class TopSelection {

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
