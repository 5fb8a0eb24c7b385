package io.starling.registry.source;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;

/** Stand-in model files for download tests: seeded random bytes (nothing compresses or repeats) and their digest. */
public final class ModelBytes {

    private ModelBytes() {
    }

    public static byte[] random(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    public static Sha256 sha256(byte[] bytes) {
        try {
            return new Sha256(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
