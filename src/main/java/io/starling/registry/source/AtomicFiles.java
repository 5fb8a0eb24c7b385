package io.starling.registry.source;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** Publishes files under their final name only once they are complete and on disk. */
final class AtomicFiles {

    private AtomicFiles() {
    }

    /** Writes {@code content} to a temporary file beside {@code target}, syncs it, then renames it over the target. */
    static void write(Path target, byte[] content) throws IOException {
        Path temp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            move(temp, target);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Renames atomically: a reader sees the old file or the new one, never a half-written one. */
    static void move(Path from, Path to) throws IOException {
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        syncDirectory(to.getParent());
    }

    /** Makes the rename itself survive a power cut (POSIX: fsync the directory); not possible everywhere. */
    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Some platforms and file systems cannot open or sync a directory; the rename is still atomic there.
        }
    }
}
