package io.starling.tokenizer;

/**
 * A text fragment as code points, with the byte offset (in the processed UTF-8) where each one starts,
 * for the BPE pre-tokenizers. The collapsed form for regex stages is built only when a stage asks.
 */
final class CodepointText {
    final int[] codePoints;
    final int[] byteStarts; // count + 1 entries
    final int count;
    private String collapsed;

    CodepointText(int[] codePoints, int[] byteStarts, int count) {
        this.codePoints = codePoints;
        this.byteStarts = byteStarts;
        this.count = count;
    }

    String collapsed() {
        if (collapsed == null) {
            char[] chars = new char[count];
            for (int i = 0; i < count; i++) {
                chars[i] = UnicodeClass.collapsed(codePoints[i]);
            }
            collapsed = new String(chars);
        }
        return collapsed;
    }
}
