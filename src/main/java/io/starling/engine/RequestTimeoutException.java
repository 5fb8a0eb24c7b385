package io.starling.engine;

/** A request outlived {@code starling.scheduler.request-timeout-ms}, queued or generating (504). */
public final class RequestTimeoutException extends RuntimeException {
    public RequestTimeoutException(long timeoutMs) {
        super("the request did not finish within the server's timeout of " + timeoutMs + " ms");
    }
}
