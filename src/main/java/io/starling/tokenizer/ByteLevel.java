package io.starling.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * GPT-2's byte-to-character alphabet: byte-level BPE vocabularies spell every byte as a printable
 * character (printable Latin-1 stays itself, the rest map to U+0100 onwards, so a space is "Ġ").
 */
final class ByteLevel {
    private static final int[] CHAR_OF_BYTE = new int[256];
    private static final int[] BYTE_OF_CHAR = new int[512];

    static {
        java.util.Arrays.fill(BYTE_OF_CHAR, -1);
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            CHAR_OF_BYTE[b] = printable ? b : next++;
            BYTE_OF_CHAR[CHAR_OF_BYTE[b]] = b;
        }
    }

    private ByteLevel() {
    }

    static String charOf(int b) {
        return Character.toString(CHAR_OF_BYTE[b & 0xFF]);
    }

    /** The raw bytes a byte-level string spells, or null if it has a character outside the alphabet. */
    static byte[] decodeOrNull(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            int b = cp < BYTE_OF_CHAR.length ? BYTE_OF_CHAR[cp] : -1;
            if (b < 0) {
                return null;
            }
            out.write(b);
        }
        return out.toByteArray();
    }

    /** Like {@link #decodeOrNull}, but characters outside the alphabet pass through as their UTF-8. */
    static byte[] decodeLenient(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            int b = cp < BYTE_OF_CHAR.length ? BYTE_OF_CHAR[cp] : -1;
            if (b >= 0) {
                out.write(b);
            } else {
                out.writeBytes(Character.toString(cp).getBytes(StandardCharsets.UTF_8));
            }
        }
        return out.toByteArray();
    }
}
