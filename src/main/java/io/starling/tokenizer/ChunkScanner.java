package io.starling.tokenizer;

/**
 * Code point and class look-ups bounded to one chunk: positions outside it read as "nothing", which
 * is how llama.cpp's hand-written splitters see a chunk's edges.
 */
final class ChunkScanner {
    /** Set for every position inside the chunk, so "no class bits" still tells in-range from outside. */
    static final int IN_RANGE = 1 << 6;
    static final int OUT_OF_RANGE = -1;

    private final int[] codePoints;
    private final int from;
    private final int to;

    ChunkScanner(int[] codePoints, int from, int to) {
        this.codePoints = codePoints;
        this.from = from;
        this.to = to;
    }

    int cp(int pos) {
        return pos >= from && pos < to ? codePoints[pos] : OUT_OF_RANGE;
    }

    int flags(int pos) {
        if (pos < from || pos >= to) {
            return 0;
        }
        int cp = codePoints[pos];
        return (cp < 128 ? ASCII[cp] : UnicodeClass.flags(cp)) | IN_RANGE;
    }

    /** In range and not whitespace, letter or number: what {@code [^\s\p{L}\p{N}]} matches. */
    static boolean isOther(int flags) {
        return (flags & IN_RANGE) != 0
                && (flags & (UnicodeClass.WHITESPACE | UnicodeClass.LETTER | UnicodeClass.NUMBER)) == 0;
    }

    int whitespaceRun(int pos) {
        int n = 0;
        while ((flags(pos + n) & UnicodeClass.WHITESPACE) != 0) {
            n++;
        }
        return n;
    }

    private static final int[] ASCII = new int[128];

    static {
        for (int cp = 0; cp < 128; cp++) {
            ASCII[cp] = UnicodeClass.flags(cp);
        }
    }
}
