package io.starling.tokenizer;

/**
 * GPT-2's pre-tokenizer, {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+},
 * as a hand-written scanner that makes the same cuts as llama.cpp's (and is much faster than a regex).
 */
final class Gpt2Split implements SplitStage {
    @Override
    public void split(CodepointText text, int from, int to, IntList pieceLengths) {
        ChunkScanner s = new ChunkScanner(text.codePoints, from, to);
        int pos = from;
        while (pos < to) {
            int cp = s.cp(pos);
            int flags = s.flags(pos);

            if (cp == '\'' && pos + 1 < to) {
                int next = s.cp(pos + 1);
                if (next == 's' || next == 't' || next == 'm' || next == 'd') {
                    pieceLengths.add(2);
                    pos += 2;
                    continue;
                }
                if (pos + 2 < to) {
                    int nextNext = s.cp(pos + 2);
                    if ((next == 'r' && nextNext == 'e') || (next == 'v' && nextNext == 'e') || (next == 'l' && nextNext == 'l')) {
                        pieceLengths.add(3);
                        pos += 3;
                        continue;
                    }
                }
            }

            int start = pos;
            int lead = cp == ' ' ? s.flags(pos + 1) : flags;
            int skip = cp == ' ' ? 1 : 0;
            if ((lead & UnicodeClass.LETTER) != 0) {
                pos += skip;
                while ((s.flags(pos) & UnicodeClass.LETTER) != 0) {
                    pos++;
                }
            } else if ((lead & UnicodeClass.NUMBER) != 0) {
                pos += skip;
                while ((s.flags(pos) & UnicodeClass.NUMBER) != 0) {
                    pos++;
                }
            } else if (ChunkScanner.isOther(lead)) {
                pos += skip;
                while (ChunkScanner.isOther(s.flags(pos))) {
                    pos++;
                }
            } else {
                int spaces = s.whitespaceRun(pos);
                if (spaces > 1 && pos + spaces < to) {
                    pos += spaces - 1; // \s+(?!\S): leave the last space to lead the next word
                } else if (spaces > 0) {
                    pos += spaces;
                } else {
                    pos++;
                }
            }
            pieceLengths.add(pos - start);
        }
    }
}
