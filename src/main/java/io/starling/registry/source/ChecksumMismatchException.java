package io.starling.registry.source;

import java.io.IOException;

/** A model file whose content does not have the configured sha256: it is never used, and a download is deleted. */
public final class ChecksumMismatchException extends IOException {

    private final transient Sha256 expected;
    private final transient Sha256 actual;

    public ChecksumMismatchException(String location, Sha256 expected, Sha256 actual) {
        super("sha256 mismatch for " + location + ": expected " + expected + ", got " + actual);
        this.expected = expected;
        this.actual = actual;
    }

    public Sha256 expected() {
        return expected;
    }

    public Sha256 actual() {
        return actual;
    }
}
