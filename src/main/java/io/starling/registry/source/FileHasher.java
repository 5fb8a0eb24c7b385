package io.starling.registry.source;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.concurrent.atomic.AtomicInteger;

/** Feeds a file's bytes into a digest, reporting progress, and counts how often it did (what the cache must avoid). */
final class FileHasher {

    private static final int CHUNK = 1 << 20;

    private final AtomicInteger filesHashed = new AtomicInteger();

    /** Adds the first {@code length} bytes of {@code file} to {@code digest}. */
    void update(MessageDigest digest, Path file, long length, DownloadListener listener) throws IOException {
        filesHashed.incrementAndGet();
        listener.verifying(file, length);
        ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long done = 0;
            while (done < length) {
                buffer.clear().limit((int) Math.min(CHUNK, length - done));
                int n = channel.read(buffer, done);
                if (n < 0) {
                    throw new IOException(file + " became shorter while it was being hashed");
                }
                buffer.flip();
                digest.update(buffer);
                done += n;
            }
        }
    }

    Sha256 hash(Path file, long length, DownloadListener listener) throws IOException {
        MessageDigest digest = Sha256.newDigest();
        update(digest, file, length, listener);
        return Sha256.of(digest);
    }

    int filesHashed() {
        return filesHashed.get();
    }
}
