package io.starling.tokenizer;

/**
 * Llama 3's pre-tokenizer, {@code (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
 * ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+}, as a scanner making llama.cpp's cuts. Note the
 * contractions match case-insensitively and a letter run may take one leading non-letter (a space,
 * a quote, a tab) with it.
 */
final class Llama3Split implements SplitStage {
    @Override
    public void split(CodepointText text, int from, int to, IntList pieceLengths) {
        ChunkScanner s = new ChunkScanner(text.codePoints, from, to);
        int pos = from;
        while (pos < to) {
            int cp = s.cp(pos);
            int flags = s.flags(pos);

            if (cp == '\'' && pos + 1 < to) {
                int next = lower(s.cp(pos + 1));
                if (next == 's' || next == 't' || next == 'm' || next == 'd') {
                    pieceLengths.add(2);
                    pos += 2;
                    continue;
                }
                if (pos + 2 < to) {
                    int nextNext = lower(s.cp(pos + 2));
                    if ((next == 'r' && nextNext == 'e') || (next == 'v' && nextNext == 'e') || (next == 'l' && nextNext == 'l')) {
                        pieceLengths.add(3);
                        pos += 3;
                        continue;
                    }
                }
            }

            int start = pos;
            if (!(cp == '\r' || cp == '\n' || (flags & UnicodeClass.NUMBER) != 0)
                    && ((flags & UnicodeClass.LETTER) != 0 || (s.flags(pos + 1) & UnicodeClass.LETTER) != 0)) {
                pos++;
                while ((s.flags(pos) & UnicodeClass.LETTER) != 0) {
                    pos++;
                }
                pieceLengths.add(pos - start);
                continue;
            }

            if ((flags & UnicodeClass.NUMBER) != 0) {
                int groupStart = pos;
                while ((s.flags(pos) & UnicodeClass.NUMBER) != 0) {
                    pos++;
                    if (pos - groupStart == 3) {
                        pieceLengths.add(3);
                        groupStart = pos;
                    }
                }
                if (pos > groupStart) {
                    pieceLengths.add(pos - groupStart);
                }
                continue;
            }

            int lead = cp == ' ' ? s.flags(pos + 1) : flags;
            // llama.cpp tests the current position here, which is always in range, so a lone trailing
            // space ends up in this branch too (with the same cut the whitespace branch would make).
            if ((lead & (UnicodeClass.WHITESPACE | UnicodeClass.LETTER | UnicodeClass.NUMBER)) == 0) {
                pos += cp == ' ' ? 1 : 0;
                while (ChunkScanner.isOther(s.flags(pos))) {
                    pos++;
                }
                while (s.cp(pos) == '\r' || s.cp(pos) == '\n') {
                    pos++;
                }
                pieceLengths.add(pos - start);
                continue;
            }

            int spaces = 0;
            int lastNewlineEnd = -1;
            while ((s.flags(pos + spaces) & UnicodeClass.WHITESPACE) != 0) {
                int c = s.cp(pos + spaces);
                if (c == '\r' || c == '\n') {
                    lastNewlineEnd = pos + spaces + 1;
                }
                spaces++;
            }
            if (lastNewlineEnd >= 0) {
                pos = lastNewlineEnd;
            } else if (spaces > 1 && pos + spaces < to) {
                pos += spaces - 1;
            } else if (spaces > 0) {
                pos += spaces;
            } else {
                pos++;
            }
            pieceLengths.add(pos - start);
        }
    }

    private static int lower(int cp) {
        return cp >= 'A' && cp <= 'Z' ? cp + ('a' - 'A') : cp;
    }
}
