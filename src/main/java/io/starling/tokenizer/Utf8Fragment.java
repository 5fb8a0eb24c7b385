package io.starling.tokenizer;

/**
 * A raw fragment decoded to code points the way llama.cpp decodes before pre-tokenizing: lead and
 * continuation bits are checked but overlong forms and surrogates are accepted, and each byte that
 * starts no valid sequence becomes U+FFFD. The BPE then works on the re-encoded UTF-8, which equals the
 * source whenever the source was valid; otherwise the processed text maps back to it.
 */
final class Utf8Fragment {
    private static final int REPLACEMENT = 0xFFFD;

    private final ProcessedText text;
    private final CodepointText codePoints;

    private Utf8Fragment(ProcessedText text, CodepointText codePoints) {
        this.text = text;
        this.codePoints = codePoints;
    }

    ProcessedText text() {
        return text;
    }

    /** Byte starts are relative to {@code text().from}. */
    CodepointText codePoints() {
        return codePoints;
    }

    static Utf8Fragment decode(byte[] source, int from, int to) {
        int capacity = to - from;
        int[] cps = new int[capacity];
        int[] sourceStarts = new int[capacity + 1];
        int count = 0;
        boolean verbatim = true;
        for (int pos = from; pos < to; ) {
            int cp = REPLACEMENT;
            int consumed = 1;
            int b0 = source[pos] & 0xFF;
            if (b0 < 0x80) {
                cp = b0;
            } else if ((b0 & 0x40) == 0) {
                verbatim = false;
            } else if ((b0 & 0x20) == 0) {
                if (continuation(source, pos + 1, to)) {
                    cp = ((b0 & 0x1F) << 6) | (source[pos + 1] & 0x3F);
                    consumed = 2;
                } else {
                    verbatim = false;
                }
            } else if ((b0 & 0x10) == 0) {
                if (continuation(source, pos + 1, to) && continuation(source, pos + 2, to)) {
                    cp = ((b0 & 0x0F) << 12) | ((source[pos + 1] & 0x3F) << 6) | (source[pos + 2] & 0x3F);
                    consumed = 3;
                } else {
                    verbatim = false;
                }
            } else if ((b0 & 0x08) == 0) {
                if (continuation(source, pos + 1, to) && continuation(source, pos + 2, to) && continuation(source, pos + 3, to)) {
                    cp = ((b0 & 0x07) << 18) | ((source[pos + 1] & 0x3F) << 12)
                            | ((source[pos + 2] & 0x3F) << 6) | (source[pos + 3] & 0x3F);
                    consumed = 4;
                    if (cp > Character.MAX_CODE_POINT) {
                        cp = REPLACEMENT;
                        verbatim = false;
                    }
                } else {
                    verbatim = false;
                }
            } else {
                verbatim = false;
            }
            if (encodedLength(cp) != consumed) {
                verbatim = false; // overlong or replaced: the re-encoding differs from the source
            }
            cps[count] = cp;
            sourceStarts[count] = pos;
            count++;
            pos += consumed;
        }
        sourceStarts[count] = to;

        int[] byteStarts = new int[count + 1];
        if (verbatim) {
            for (int i = 0; i <= count; i++) {
                byteStarts[i] = sourceStarts[i] - from;
            }
            return new Utf8Fragment(new ProcessedText(source, from, to), new CodepointText(cps, byteStarts, count));
        }
        int length = 0;
        for (int i = 0; i < count; i++) {
            byteStarts[i] = length;
            length += encodedLength(cps[i]);
        }
        byteStarts[count] = length;
        byte[] bytes = new byte[length];
        int[] boundaries = new int[length + 1];
        for (int i = 0; i < count; i++) {
            int at = byteStarts[i];
            int n = encode(cps[i], bytes, at);
            for (int k = 0; k < n; k++) {
                // Positions inside a rewritten character map to the end of its source bytes.
                boundaries[at + k] = k == 0 ? sourceStarts[i] : sourceStarts[i + 1];
            }
        }
        boundaries[length] = to;
        return new Utf8Fragment(new ProcessedText(bytes, length, boundaries), new CodepointText(cps, byteStarts, count));
    }

    private static boolean continuation(byte[] source, int pos, int to) {
        return pos < to && (source[pos] & 0xC0) == 0x80;
    }

    private static int encodedLength(int cp) {
        return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    }

    private static int encode(int cp, byte[] out, int at) {
        if (cp < 0x80) {
            out[at] = (byte) cp;
            return 1;
        }
        if (cp < 0x800) {
            out[at] = (byte) (0xC0 | (cp >> 6));
            out[at + 1] = (byte) (0x80 | (cp & 0x3F));
            return 2;
        }
        if (cp < 0x10000) {
            out[at] = (byte) (0xE0 | (cp >> 12));
            out[at + 1] = (byte) (0x80 | ((cp >> 6) & 0x3F));
            out[at + 2] = (byte) (0x80 | (cp & 0x3F));
            return 3;
        }
        out[at] = (byte) (0xF0 | (cp >> 18));
        out[at + 1] = (byte) (0x80 | ((cp >> 12) & 0x3F));
        out[at + 2] = (byte) (0x80 | ((cp >> 6) & 0x3F));
        out[at + 3] = (byte) (0x80 | (cp & 0x3F));
        return 4;
    }
}
