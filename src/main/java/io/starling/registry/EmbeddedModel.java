package io.starling.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The model served when none is configured: Karpathy's stories260K (MIT), quantized to Q8_0.
 * A classpath resource cannot be memory-mapped, so it is extracted once to a content-addressed file.
 */
public final class EmbeddedModel {

    public static final String NAME = "stories260K";
    static final String RESOURCE = "stories260K-Q8_0.gguf";
    static final String SHA256 = "3f86ab7a9f39a9461d239211e1e07e76c1d483d04261bec3da7d8256370a082b";

    private EmbeddedModel() {
    }

    /** The model as a file on disk, extracted into {@code directory} on first use and verified by sha256. */
    public static Path extractTo(Path directory) {
        Path target = directory.resolve("starling-" + SHA256.substring(0, 16)).resolve(RESOURCE);
        try {
            if (Files.isRegularFile(target) && SHA256.equals(sha256(target))) {
                return target;
            }
            Files.createDirectories(target.getParent());
            Path partial = Files.createTempFile(target.getParent(), RESOURCE, ".part");
            try (InputStream in = EmbeddedModel.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("the embedded model " + RESOURCE + " is missing from the application");
                }
                Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
            }
            String actual = sha256(partial);
            if (!SHA256.equals(actual)) {
                Files.deleteIfExists(partial);
                throw new IllegalStateException("the embedded model is corrupt: sha256 " + actual + ", expected " + SHA256);
            }
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract the embedded model to " + target + ": " + e.getMessage(), e);
        }
    }

    private static String sha256(Path file) throws IOException {
        try (DigestInputStream digest = new DigestInputStream(Files.newInputStream(file),
                MessageDigest.getInstance("SHA-256"))) {
            digest.transferTo(OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(digest.getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }
}
