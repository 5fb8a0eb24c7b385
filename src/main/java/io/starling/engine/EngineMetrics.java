package io.starling.engine;

/** What the scheduler reports as it works; the server records it as Prometheus meters. Called on the loop thread. */
public interface EngineMetrics {

    /** One model step ran over {@code sequences} sequences and {@code tokens} tokens. */
    void step(int sequences, int tokens);

    /** A sequence produced a token, {@code nanosSincePrevious} after its previous one (or after admission). */
    void token(long nanosSincePrevious, boolean first);

    /** A sequence ended after {@code tokens} tokens, {@code decodeNanos} after its first. */
    void sequenceFinished(int tokens, long decodeNanos);

    EngineMetrics NONE = new EngineMetrics() {
        @Override
        public void step(int sequences, int tokens) {
        }

        @Override
        public void token(long nanosSincePrevious, boolean first) {
        }

        @Override
        public void sequenceFinished(int tokens, long decodeNanos) {
        }
    };
}
