package io.starling.engine;

/**
 * A running request could not get KV memory and nothing the engine runs will free any: it is stopped so the others
 * can go on (429). {@code retryable} when other requests held the memory, so the same request may fit later.
 */
public final class KvCacheExhaustedException extends RuntimeException {

    private final boolean retryable;

    KvCacheExhaustedException(String message, boolean retryable) {
        super(message);
        this.retryable = retryable;
    }

    public boolean retryable() {
        return retryable;
    }
}
