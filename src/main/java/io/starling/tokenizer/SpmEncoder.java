package io.starling.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * SentencePiece BPE as llama.cpp runs it ({@code llm_tokenizer_spm}): spaces become "▁", a "▁" is
 * prepended when the vocabulary asks for a dummy prefix, the text is cut into UTF-8 characters, and
 * the adjacent pair whose concatenation is the highest-scoring token is merged until no pair is a
 * token (ties go to the leftmost pair). Symbols that are not tokens fall back to byte tokens
 * {@code <0xNN>}. Built once per vocabulary; {@link #encode} is thread-safe.
 *
 * <p>"Is left + right a token?" is answered on symbol ids, not bytes: every symbol is either one
 * character or a token (merges only ever form tokens), so each token is registered under every way of
 * cutting it into a character-or-token left part and a character-or-token right part.
 */
final class SpmEncoder {
    private static final byte[] SPACE_MARK = "▁".getBytes(StandardCharsets.UTF_8);

    private final ByteSliceMap charSymbols;
    private final int[] asciiSymbols = new int[128];
    private final MergeTable pairs;
    private final int vocabSize;
    private final int[] pieceLengths;
    private final float[] scores;
    private final int[] byteTokens = new int[256];
    private final boolean mergesStopAtWords;

    SpmEncoder(Vocabulary vocab) {
        int n = vocab.size();
        this.vocabSize = n;
        this.scores = new float[n];
        this.pieceLengths = new int[n];
        byte[][] texts = new byte[n][];
        ByteSliceMap pieces = new ByteSliceMap(n);
        // Control and unknown tokens are never produced from plain text; they only come from
        // special-token parsing. Later duplicates win, as in llama.cpp's token_to_id map.
        boolean wordInternalSpace = false;
        for (int id = n - 1; id >= 0; id--) {
            texts[id] = vocab.token(id).getBytes(StandardCharsets.UTF_8);
            pieceLengths[id] = texts[id].length;
            if ((vocab.attr(id) & TokenAttr.SPECIAL) == 0) {
                pieces.putIfAbsent(texts[id], id);
                wordInternalSpace |= hasSpaceAfterNonSpace(vocab.token(id));
            }
            float score = vocab.score(id);
            scores[id] = score == 0.0f ? 0.0f : score; // -0.0 and 0.0 must tie, as == does in C++
        }
        this.mergesStopAtWords = !wordInternalSpace;

        this.charSymbols = new ByteSliceMap(256);
        for (int id = 0; id < n; id++) {
            byte[] text = texts[id];
            if (utf8Length(text[0]) >= text.length && pieces.get(text, 0, text.length) == id) {
                charSymbols.putIfAbsent(text, id); // one-character tokens are their own symbols
            }
        }
        this.pairs = new MergeTable(n);
        for (int id = 0; id < n; id++) {
            byte[] text = texts[id];
            if (pieces.get(text, 0, text.length) != id) {
                continue; // special, or a duplicate text that another id wins
            }
            for (int cut = utf8Length(text[0]); cut < text.length; cut += utf8Length(text[cut])) {
                int left = symbolOf(pieces, text, 0, cut);
                int right = symbolOf(pieces, text, cut, text.length - cut);
                if (left >= 0 && right >= 0) {
                    pairs.putIfAbsent(left, right, id);
                }
            }
        }
        for (int b = 0; b < 128; b++) {
            asciiSymbols[b] = charSymbols.get(new byte[] {(byte) b}, 0, 1);
        }
        for (int b = 0; b < 256; b++) {
            int id = vocab.idOf(String.format("<0x%02X>", b));
            if (id == Vocabulary.NO_TOKEN) {
                id = vocab.idOf(new String(new byte[] {(byte) b}, StandardCharsets.ISO_8859_1));
            }
            byteTokens[b] = id != Vocabulary.NO_TOKEN ? id : vocab.unk();
        }
    }

    /**
     * The symbol id of a token's part: a token id when the part is a token, else (a single character)
     * an id past the vocabulary; -1 for a multi-character part that is no token (it can never be a symbol).
     */
    private int symbolOf(ByteSliceMap pieces, byte[] text, int from, int length) {
        int token = pieces.get(text, from, length);
        boolean oneChar = utf8Length(text[from]) >= length;
        if (!oneChar) {
            return token;
        }
        byte[] character = Arrays.copyOfRange(text, from, from + length);
        return charSymbols.putIfAbsent(character, token >= 0 ? token : vocabSize + charSymbols.size());
    }

    private static boolean hasSpaceAfterNonSpace(String token) {
        for (int i = 1; i < token.length(); i++) {
            if (token.charAt(i) == '▁' && token.charAt(i - 1) != '▁') {
                return true;
            }
        }
        return false;
    }

    /**
     * Encodes {@code source[from, to)}, one raw-text fragment, appending tokens with source spans.
     * {@code cache} (nullable) remembers words across the fragments of one call.
     */
    void encode(byte[] source, int from, int to, boolean dummyPrefix, TokenSink sink, WordCache cache) {
        ProcessedText text = escapeSpaces(source, from, to, dummyPrefix);
        byte[] bytes = text.bytes;
        int length = text.to - text.from;
        if (length == 0) {
            return;
        }
        int[] start = new int[length];
        int[] size = new int[length];
        int[] prev = new int[length];
        int[] next = new int[length];
        int[] symbol = new int[length];
        int count = 0;
        for (int offset = text.from; offset < text.to; ) {
            int charLength = Math.min(utf8Length(bytes[offset]), text.to - offset);
            start[count] = offset;
            size[count] = charLength;
            prev[count] = count - 1;
            offset += charLength;
            next[count] = offset == text.to ? -1 : count + 1;
            count++;
        }

        // When no token has a "▁" after another character, no merge can cross the start of a word, so
        // each word merges on its own: same result as one queue over the whole text (merges in different
        // words never interact, and each word sees its merges in the same order), far smaller queues.
        BigramQueue queue = new BigramQueue();
        IntList segmentTokens = new IntList(48);
        int segmentStart = 0;
        for (int i = 1; i <= count; i++) {
            if (i < count && !(mergesStopAtWords && isSpaceMark(bytes, start[i], size[i]) && !isSpaceMark(bytes, start[i - 1], size[i - 1]))) {
                continue;
            }
            int segmentFrom = start[segmentStart];
            int segmentBytes = (i < count ? start[i] : text.to) - segmentFrom;
            boolean cacheable = cache != null && mergesStopAtWords && segmentBytes <= WordCache.MAX_WORD_BYTES;
            int entry = cacheable ? cache.find(bytes, segmentFrom, segmentBytes) : -1;
            if (entry >= 0) {
                cache.emit(entry, text, segmentFrom, sink);
            } else {
                for (int c = segmentStart; c < i; c++) {
                    symbol[c] = size[c] == 1 && bytes[start[c]] >= 0 ? asciiSymbols[bytes[start[c]]] : charSymbols.get(bytes, start[c], size[c]);
                }
                prev[segmentStart] = -1;
                next[i - 1] = -1;
                mergeSegment(queue, symbol, size, prev, next, segmentStart, i);
                segmentTokens.clear();
                for (int s = segmentStart; s < i; s++) {
                    if (size[s] > 0) { // merged-away symbols have size 0; the rest are in text order
                        resegment(symbol[s], bytes, start[s], size[s], segmentFrom, segmentTokens);
                    }
                }
                for (int t = 0; t < segmentTokens.size(); t += 3) {
                    sink.add(segmentTokens.get(t), text.source(segmentFrom + segmentTokens.get(t + 1)),
                            text.source(segmentFrom + segmentTokens.get(t + 2)));
                }
                if (cacheable) {
                    cache.put(bytes, segmentFrom, segmentBytes, segmentTokens);
                }
            }
            segmentStart = i;
        }
    }

    private void mergeSegment(BigramQueue queue, int[] symbol, int[] size, int[] prev, int[] next, int from, int to) {
        queue.clear();
        for (int i = from + 1; i < to; i++) {
            tryAddBigram(queue, symbol, i - 1, i);
        }
        while (!queue.isEmpty()) {
            queue.poll();
            int left = (int) queue.polledKey();
            int right = next[left];
            int merged = queue.polledPayload();
            if (size[left] == 0 || right < 0 || size[right] == 0 || size[left] + size[right] != pieceLengths[merged]) {
                continue; // one side already merged into something else
            }
            symbol[left] = merged;
            size[left] += size[right];
            size[right] = 0;
            next[left] = next[right];
            if (next[right] >= 0) {
                prev[next[right]] = left;
            }
            if (prev[left] >= 0) {
                tryAddBigram(queue, symbol, prev[left], left);
            }
            if (next[left] >= 0) {
                tryAddBigram(queue, symbol, left, next[left]);
            }
        }
    }

    /** A final symbol as its token, or as byte tokens when it is none: (id, start, end) relative to {@code base}. */
    private void resegment(int symbol, byte[] bytes, int start, int size, int base, IntList out) {
        if (symbol >= 0 && symbol < vocabSize) {
            addTriple(out, symbol, start - base, start + size - base);
            return;
        }
        for (int j = start, end = start + size; j < end; j++) {
            addTriple(out, byteTokens[bytes[j] & 0xFF], j - base, j + 1 - base);
        }
    }

    private static void addTriple(IntList out, int id, int start, int end) {
        out.add(id);
        out.add(start);
        out.add(end);
    }

    private static boolean isSpaceMark(byte[] bytes, int start, int size) {
        return size == SPACE_MARK.length && bytes[start] == SPACE_MARK[0] && bytes[start + 1] == SPACE_MARK[1] && bytes[start + 2] == SPACE_MARK[2];
    }

    private void tryAddBigram(BigramQueue queue, int[] symbol, int left, int right) {
        if (symbol[left] < 0 || symbol[right] < 0) {
            return;
        }
        int id = pairs.get(symbol[left], symbol[right]);
        if (id < 0) {
            return;
        }
        // Highest score first, then leftmost: invert the float's sortable bits into the high word.
        int bits = Float.floatToIntBits(scores[id]);
        int sortable = bits >= 0 ? bits : bits ^ 0x7FFFFFFF;
        queue.push(((long) ~sortable << 32) | left, id);
    }

    /** The text with spaces as "▁" and the optional dummy prefix, mapped back to the source. */
    private static ProcessedText escapeSpaces(byte[] source, int from, int to, boolean dummyPrefix) {
        int spaces = 0;
        for (int i = from; i < to; i++) {
            if (source[i] == ' ') {
                spaces++;
            }
        }
        if (spaces == 0 && !dummyPrefix) {
            return new ProcessedText(source, from, to);
        }
        int length = (to - from) + spaces * 2 + (dummyPrefix ? SPACE_MARK.length : 0);
        byte[] bytes = new byte[length];
        int[] boundaries = new int[length + 1];
        int out = 0;
        if (dummyPrefix) {
            for (byte b : SPACE_MARK) {
                boundaries[out] = from;
                bytes[out++] = b;
            }
        }
        for (int i = from; i < to; i++) {
            if (source[i] == ' ') {
                // Positions inside the rewritten character map to the end of the source space.
                for (int k = 0; k < SPACE_MARK.length; k++) {
                    boundaries[out] = k == 0 ? i : i + 1;
                    bytes[out++] = SPACE_MARK[k];
                }
            } else {
                boundaries[out] = i;
                bytes[out++] = source[i];
            }
        }
        boundaries[out] = to;
        return new ProcessedText(bytes, length, boundaries);
    }

    /** The sequence length a UTF-8 lead byte announces, without validating it (as llama.cpp does). */
    static int utf8Length(byte lead) {
        int high = (lead & 0xFF) >>> 4;
        return high < 12 ? 1 : high < 14 ? 2 : high == 14 ? 3 : 4;
    }
}
