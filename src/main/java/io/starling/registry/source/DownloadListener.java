package io.starling.registry.source;

import java.net.URI;
import java.nio.file.Path;

/**
 * What {@link ModelCache#resolve} reports while it works, for a progress bar or a log. Every method has a no-op
 * default; all are called on the resolving thread. A caller that joins a download another thread already runs
 * hears nothing: the download is reported to the listener of the call that started it.
 */
public interface DownloadListener {

    /** A listener that ignores everything. */
    DownloadListener NONE = new DownloadListener() {
    };

    /** Another process holds the cache's lock for this model (it is downloading it); this call waits for it. */
    default void waitingForLock(Path lockFile) {
    }

    /** An existing file is being hashed: a local model with a sha256, or a partial download about to be resumed. */
    default void verifying(Path file, long size) {
    }

    /**
     * The server answered and the body starts: at byte {@code offset} (not 0 when resuming), of {@code total}
     * bytes in all, or -1 when the server does not say.
     */
    default void started(URI uri, long offset, long total) {
    }

    /** {@code bytes} of {@code total} (-1 if unknown) are on disk. Called for every chunk: throttle any output. */
    default void progress(long bytes, long total) {
    }

    /** The file is complete, verified and in the cache at {@code path}. */
    default void finished(Path path, long size) {
    }
}
