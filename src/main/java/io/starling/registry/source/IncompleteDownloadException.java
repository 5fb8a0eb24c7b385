package io.starling.registry.source;

import java.io.IOException;

/**
 * A download that stopped early (the connection closed or failed before the whole body arrived). What did arrive
 * is kept in the cache's {@code .part} file, so resolving the same source again resumes from there.
 */
public final class IncompleteDownloadException extends IOException {

    private final long bytesKept;

    IncompleteDownloadException(String message, long bytesKept, Throwable cause) {
        super(message, cause);
        this.bytesKept = bytesKept;
    }

    /** Bytes in the partial file, from which the next attempt resumes. */
    public long bytesKept() {
        return bytesKept;
    }
}
