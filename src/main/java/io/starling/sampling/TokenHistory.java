package io.starling.sampling;

/**
 * The last {@code window} tokens of a sequence with a count per token id, what the penalties look at.
 * Counting on accept and uncounting on eviction keeps every penalty pass proportional to the window, not the vocab.
 */
final class TokenHistory {

    private final int[] ring;
    private final int[] counts;
    private int size;
    private int next;

    TokenHistory(int window, int vocabSize) {
        this.ring = new int[window];
        this.counts = new int[vocabSize];
    }

    void accept(int token) {
        if (ring.length == 0) {
            return;
        }
        if (size == ring.length) {
            counts[ring[next]]--;
        } else {
            size++;
        }
        ring[next] = token;
        counts[token]++;
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

    int count(int token) {
        return counts[token];
    }
}
