package io.starling.registry.source;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/** A SHA-256 digest as 64 lower-case hex digits: the identity of a model file in the cache. */
public record Sha256(String hex) {

    private static final Pattern HEX_64 = Pattern.compile("[0-9a-f]{64}");

    public Sha256 {
        if (hex == null || !HEX_64.matcher(hex).matches()) {
            throw new IllegalArgumentException("a sha256 is 64 hex digits, not '" + hex + "'");
        }
    }

    /** Parses a configured digest: 64 hex digits in either case, surrounding blanks ignored. */
    public static Sha256 parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a sha256 is 64 hex digits, not an empty value");
        }
        String hex = text.strip().toLowerCase(Locale.ROOT);
        if (!HEX_64.matcher(hex).matches()) {
            throw new IllegalArgumentException("a sha256 is 64 hex digits, not '" + text.strip() + "'");
        }
        return new Sha256(hex);
    }

    static Sha256 of(MessageDigest finishedDigest) {
        return new Sha256(HexFormat.of().formatHex(finishedDigest.digest()));
    }

    static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return hex;
    }
}
