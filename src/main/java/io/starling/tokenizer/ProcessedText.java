package io.starling.tokenizer;

/**
 * The bytes an encoder actually works on, with a map back to the source input. Most of the time the
 * encoder reads the source verbatim ({@code boundaries == null}); SentencePiece rewrites spaces to
 * "▁" and prepends one, and byte-level BPE re-encodes invalid UTF-8 as U+FFFD, and then each processed
 * byte position records the source position it stands for.
 */
final class ProcessedText {
    final byte[] bytes;
    final int from;
    final int to;
    private final int[] boundaries;

    /** Verbatim view of {@code source[from, to)}. */
    ProcessedText(byte[] source, int from, int to) {
        this.bytes = source;
        this.from = from;
        this.to = to;
        this.boundaries = null;
    }

    /**
     * Rewritten text {@code bytes[0, length)}; {@code boundaries[i]} is the source offset where processed
     * byte i begins (length + 1 entries, the last being the source end).
     */
    ProcessedText(byte[] bytes, int length, int[] boundaries) {
        this.bytes = bytes;
        this.from = 0;
        this.to = length;
        this.boundaries = boundaries;
    }

    /** The source offset corresponding to processed position {@code position} (from ≤ position ≤ to). */
    int source(int position) {
        return boundaries == null ? position : boundaries[position];
    }
}
