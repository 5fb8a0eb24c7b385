package io.starling.engine;

/**
 * What the scheduler reports as it works; the server records it as Prometheus meters. Called on the loop thread.
 * Every report is optional (no-op by default), so a listener implements only what it records.
 */
public interface EngineMetrics {

    /** One model step ran over {@code sequences} sequences and {@code tokens} tokens. */
    default void step(int sequences, int tokens) {
    }

    /** A sequence produced a token, {@code nanosSincePrevious} after its previous one (or after admission). */
    default void token(long nanosSincePrevious, boolean first) {
    }

    /** A sequence ended after {@code tokens} tokens, {@code decodeNanos} after its first. */
    default void sequenceFinished(int tokens, long decodeNanos) {
    }

    /** Records nothing. */
    EngineMetrics NONE = new EngineMetrics() {
    };
}
