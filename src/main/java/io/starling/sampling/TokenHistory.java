package io.starling.sampling;

/**
 * The last {@code window} tokens of a sequence, what the penalties look at, with a count per token id when the
 * frequency or presence penalty needs one (a vocabulary-sized array, so only then). Counting on accept and
 * uncounting on eviction keeps every penalty pass proportional to the window, not the vocab.
 */
final class TokenHistory {

    private final int[] ring;
    private final int[] counts;
    private int size;
    private int next;

    TokenHistory(int window, int vocabSize, boolean counted) {
        this.ring = new int[window];
        this.counts = counted ? new int[vocabSize] : null;
    }

    void accept(int token) {
        if (ring.length == 0) {
            return;
        }
        if (size == ring.length) {
            uncount(ring[next]);
        } else {
            size++;
        }
        ring[next] = token;
        if (counts != null) {
            counts[token]++;
        }
        next = (next + 1) % ring.length;
    }

    /** Tokens in the window, most recent last; a token occurring twice appears twice. */
    int size() {
        return size;
    }

    /** The i-th token of the window, oldest first. */
    int token(int i) {
        return ring[(next - size + i + ring.length) % ring.length];
    }

    /** Occurrences of {@code token} in the window; only for a history made {@code counted}. */
    int count(int token) {
        return counts[token];
    }

    private void uncount(int token) {
        if (counts != null) {
            counts[token]--;
        }
    }
}
