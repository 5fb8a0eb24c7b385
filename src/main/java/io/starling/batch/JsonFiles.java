package io.starling.batch;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** State files written whole or not at all: a crash leaves the old version or the new one, never half of one. */
final class JsonFiles {

    private JsonFiles() {
    }

    /** Writes {@code value} as JSON to a temporary sibling, forces it to disk and renames it over {@code file}. */
    static void writeAtomically(ObjectMapper mapper, Path file, Object value) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(temp, mapper.writeValueAsBytes(value));
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
