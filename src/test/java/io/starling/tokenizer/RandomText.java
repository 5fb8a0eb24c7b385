package io.starling.tokenizer;

import java.util.Random;

/** Random Unicode text that stresses tokenizers: scripts, combining marks, emoji ZWJ sequences, whitespace runs, controls. */
final class RandomText {
    private static final String[] PIECES = {
            "Hello", " world", "the", " quick", "'s", "'LL", "don't", "3.14", "12345678", "ÄÖÜ", "Führer", "naïve",
            "e\u0301", "a\u0308\u0323", "\u0915\u094D\u0937", "한국어", "日本語", "我想在apple工作", "Български",
            "кириллица", "ελληνικά", "עברית", "العربية", "ไทย", "កាន់តែ", "😀", "🦙", "👩\u200D👩\u200D👧", "😶\u200D🌫\uFE0F",
            "🇫🇷", "✅", "∑", "€", "½", "\u00A0", "\u3000", "\u2028", "\u0085", " ", "  ", "   ", "\t", "\n", "\r\n", "\n\n\n",
            "\u0000", "\u0001", "\u001F", "\u007F", "\u200B", "\uFEFF", "!!", "...", "--", "()", "<", ">", "<s>",
            "<|endoftext|>", "<|user|>", "\uD83D\uDE00x", "\uFFFD", "𝔘𝔫𝔦", "x\u0300\u0301\u0302"};

    private RandomText() {
    }

    static String next(Random random, int maxPieces, boolean allowSpaceMark) {
        StringBuilder text = new StringBuilder();
        int n = random.nextInt(maxPieces + 1);
        for (int i = 0; i < n; i++) {
            if (random.nextInt(4) == 0) {
                int cp;
                do {
                    cp = random.nextInt(4) == 0 ? random.nextInt(0x30000) : random.nextInt(0x3000);
                } while ((cp >= 0xD800 && cp <= 0xDFFF) || (!allowSpaceMark && cp == 0x2581));
                text.appendCodePoint(cp);
            } else {
                text.append(PIECES[random.nextInt(PIECES.length)]);
            }
        }
        return text.toString();
    }
}
