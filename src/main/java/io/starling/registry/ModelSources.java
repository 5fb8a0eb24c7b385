package io.starling.registry;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Where a model's weights are on disk. The one seam between deployments and model sources: today local paths and
 * {@code file:} URLs; downloads (http(s) URLs into the model cache) come with {@code io.starling.registry.source}.
 */
final class ModelSources {

    private ModelSources() {
    }

    /** The local file of {@code source}, verified against {@code sha256} when one is given. */
    static Path resolve(String source, Optional<String> sha256) throws IOException {
        Path path = localPath(source).orElseThrow(() -> new IllegalArgumentException(
                "unsupported model source '" + source + "': use a local path or a file: URL"));
        if (!Files.isRegularFile(path)) {
            throw new NoSuchFileException(path.toString(), null, "no such file");
        }
        if (sha256.isPresent()) {
            String actual = sha256(path);
            if (!actual.equals(sha256.get())) {
                throw new IOException("sha256 mismatch for " + path + ": the file has " + actual + ", expected "
                        + sha256.get());
            }
        }
        return path;
    }

    /** The path of a local source (a plain path or a {@code file:} URL); empty for any other scheme. */
    static Optional<Path> localPath(String source) {
        if (source.startsWith("file:")) {
            return Optional.of(Path.of(URI.create(source)));
        }
        if (source.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*")) {
            return Optional.empty();
        }
        return Optional.of(Path.of(source));
    }

    static String sha256(Path file) throws IOException {
        try (DigestInputStream digest = new DigestInputStream(Files.newInputStream(file),
                MessageDigest.getInstance("SHA-256"))) {
            digest.transferTo(OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(digest.getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }
}
