package io.starling.registry.source;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Which local model files have been found to have their configured sha256, so a restart does not hash gigabytes
 * again. One small JSON file per model file in {@code <cache>/verified/}, named by the sha256 of the file's real
 * path, holding the path, size, modification time and digest it had when it was hashed. A file whose size or
 * modification time changed since is hashed again. (A rewrite that keeps both, as only deliberate tampering does,
 * goes unnoticed: the price of not reading the file at every start.)
 */
final class VerifiedFiles {

    private static final ObjectMapper JSON = new ObjectMapper();

    record Verification(@JsonProperty("path") String path, @JsonProperty("size") long size,
                        @JsonProperty("modified") String modified, @JsonProperty("sha256") String sha256) {

        static Verification of(Path realPath, BasicFileAttributes attributes, Sha256 sha256) {
            return new Verification(realPath.toString(), attributes.size(),
                    attributes.lastModifiedTime().toInstant().toString(), sha256.hex());
        }
    }

    private final Path dir;

    VerifiedFiles(Path dir) {
        this.dir = dir;
    }

    /** Whether {@code realPath}, as it is now ({@code attributes}), was verified to have {@code sha256}. */
    boolean isVerified(Path realPath, BasicFileAttributes attributes, Sha256 sha256) {
        Path record = recordOf(realPath);
        try {
            return Verification.of(realPath, attributes, sha256).equals(JSON.readValue(Files.readAllBytes(record), Verification.class));
        } catch (IOException missingOrDamaged) {
            return false;
        }
    }

    /** Records that {@code realPath} had {@code sha256} when it had {@code attributes} (read before hashing it). */
    void remember(Path realPath, BasicFileAttributes attributes, Sha256 sha256) throws IOException {
        Files.createDirectories(dir);
        AtomicFiles.write(recordOf(realPath), JSON.writerWithDefaultPrettyPrinter()
                .writeValueAsBytes(Verification.of(realPath, attributes, sha256)));
    }

    void forget(Path realPath) throws IOException {
        Files.deleteIfExists(recordOf(realPath));
    }

    private Path recordOf(Path realPath) {
        var digest = Sha256.newDigest();
        digest.update(realPath.toString().getBytes(StandardCharsets.UTF_8));
        return dir.resolve(Sha256.of(digest).hex() + ".json");
    }
}
