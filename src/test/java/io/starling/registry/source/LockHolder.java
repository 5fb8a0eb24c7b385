package io.starling.registry.source;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Another process for {@link CrossProcessLockTest}: locks the file given, says "locked", and holds it until stdin closes. */
public final class LockHolder {

    private LockHolder() {
    }

    public static void main(String[] args) throws IOException {
        Path lockFile = Path.of(args[0]);
        Files.createDirectories(lockFile.getParent());
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = channel.lock()) {
            System.out.println("locked");
            System.out.flush();
            System.in.readAllBytes();
        }
    }
}
