package io.starling.registry.source;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on one model of the cache across processes (two pods sharing a cache volume). Within one JVM
 * {@link ModelCache} lets only one thread per model get here, since the OS lock belongs to the whole process.
 * The lock file stays behind, empty: deleting it while another process waits on it would let a third one lock a
 * new file of the same name, and both would download.
 */
final class CacheLock implements AutoCloseable {

    private final FileChannel channel;
    private final FileLock lock;

    private CacheLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    static CacheLock acquire(Path lockFile, DownloadListener listener) throws IOException {
        Files.createDirectories(lockFile.getParent());
        FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                listener.waitingForLock(lockFile);
                lock = channel.lock();
            }
            return new CacheLock(channel, lock);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
