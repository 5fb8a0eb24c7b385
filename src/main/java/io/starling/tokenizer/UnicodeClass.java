package io.starling.tokenizer;

/**
 * The code point classes the pre-tokenizers test: letter, number, whitespace, punctuation, mark,
 * symbol. General categories come from {@link Character#getType(int)}; "whitespace" is the Unicode
 * White_Space property (what Python's {@code regex} module calls {@code \s}, and what llama.cpp's
 * tables hold), which differs from {@link Character#isWhitespace} (that one excludes NBSP and includes
 * U+001C–U+001F).
 */
final class UnicodeClass {
    static final int LETTER = 1;
    static final int NUMBER = 1 << 1;
    static final int WHITESPACE = 1 << 2;
    static final int PUNCTUATION = 1 << 3;
    static final int MARK = 1 << 4;
    static final int SYMBOL = 1 << 5;

    private static final byte[] FLAGS = buildTable();

    private UnicodeClass() {
    }

    static int flags(int codePoint) {
        return codePoint >= 0 && codePoint < FLAGS.length ? FLAGS[codePoint] : 0;
    }

    static boolean isLetter(int codePoint) {
        return (flags(codePoint) & LETTER) != 0;
    }

    static boolean isNumber(int codePoint) {
        return (flags(codePoint) & NUMBER) != 0;
    }

    static boolean isWhitespace(int codePoint) {
        return (flags(codePoint) & WHITESPACE) != 0;
    }

    /**
     * The one-char stand-in llama.cpp's regex fallback matches against: ASCII stays itself, other code
     * points become a byte per class (see {@link CollapsedRegexSplit}).
     */
    static char collapsed(int codePoint) {
        if (codePoint < 128) {
            return (char) codePoint;
        }
        int flags = flags(codePoint);
        if ((flags & WHITESPACE) != 0) {
            return 0x0B;
        }
        if ((flags & NUMBER) != 0) {
            return 0xD1;
        }
        if ((flags & LETTER) != 0) {
            return 0xD2;
        }
        if ((flags & PUNCTUATION) != 0) {
            return 0xD3;
        }
        if ((flags & MARK) != 0) {
            return 0xD4;
        }
        if ((flags & SYMBOL) != 0) {
            return 0xD5;
        }
        return 0xD0;
    }

    private static byte[] buildTable() {
        byte[] table = new byte[Character.MAX_CODE_POINT + 1];
        for (int cp = 0; cp < table.length; cp++) {
            table[cp] = (byte) category(cp);
        }
        for (int cp : new int[] {0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000}) {
            table[cp] |= WHITESPACE;
        }
        for (int cp = 0x2000; cp <= 0x200A; cp++) {
            table[cp] |= WHITESPACE;
        }
        return table;
    }

    private static int category(int cp) {
        return switch (Character.getType(cp)) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                 Character.MODIFIER_LETTER, Character.OTHER_LETTER -> LETTER;
            case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> NUMBER;
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                 Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                 Character.OTHER_PUNCTUATION -> PUNCTUATION;
            case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK -> MARK;
            case Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL, Character.MODIFIER_SYMBOL, Character.OTHER_SYMBOL -> SYMBOL;
            default -> 0;
        };
    }
}
