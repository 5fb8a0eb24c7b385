package io.starling.engine;

/** The engine's queue is at {@code starling.scheduler.max-queue-depth}: the client should retry later (429). */
public final class QueueFullException extends RuntimeException {

    private final int retryAfterSeconds;

    public QueueFullException(int depth, int retryAfterSeconds) {
        super("the server is overloaded: " + depth + " requests are already waiting; retry after " + retryAfterSeconds + " s");
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
