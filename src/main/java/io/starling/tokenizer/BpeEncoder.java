package io.starling.tokenizer;

/**
 * Byte-level BPE as llama.cpp runs it ({@code llm_tokenizer_bpe}): the pre-tokenizer cuts the text
 * into words, each word starts as one symbol per byte, and the adjacent pair with the lowest merge
 * rank is merged until no pair has a rank (ties go to the leftmost pair). A final symbol that is not a
 * token is emitted byte by byte.
 *
 * <p>The merge rules are compiled once per vocabulary into integer form: every string that appears in
 * a merge gets a symbol id (vocabulary ids first, then the few merge-only strings), and each rule
 * becomes (left id, right id) → rank and rank → merged id. Thread-safe.
 */
final class BpeEncoder {
    private final PreTokenizerType preTokenizer;
    private final int vocabSize;
    private final boolean[] emittable;
    private final ByteSliceMap symbols;
    private final int[] byteSymbols = new int[256];
    private final int[] byteTokens = new int[256];
    private final MergeTable ranks;
    private final int[] mergedByRank;

    BpeEncoder(Vocabulary vocab) {
        this.preTokenizer = vocab.preTokenizer();
        this.vocabSize = vocab.size();
        String[] merges = vocab.merges();
        this.emittable = new boolean[vocabSize];
        this.symbols = new ByteSliceMap(vocabSize + 256);
        for (int id = vocabSize - 1; id >= 0; id--) {
            byte[] raw = ByteLevel.decodeOrNull(vocab.token(id));
            if (raw != null) {
                // Control and unknown tokens are never produced from plain text.
                emittable[id] = (vocab.attr(id) & TokenAttr.SPECIAL) == 0;
                symbols.putIfAbsent(raw, id);
            }
        }
        for (int b = 0; b < 256; b++) {
            byteSymbols[b] = intern(new byte[] {(byte) b});
            int id = vocab.idOf(ByteLevel.charOf(b));
            byteTokens[b] = id != Vocabulary.NO_TOKEN && emittable[id] ? id : -1;
        }
        this.ranks = new MergeTable(merges.length);
        this.mergedByRank = new int[merges.length];
        for (int rank = 0; rank < merges.length; rank++) {
            String merge = merges[rank];
            int space = merge.indexOf(' ', 1);
            byte[] left = space < 0 ? null : ByteLevel.decodeOrNull(merge.substring(0, space));
            byte[] right = space < 0 ? null : ByteLevel.decodeOrNull(merge.substring(space + 1));
            if (left == null || right == null) {
                mergedByRank[rank] = -1; // can never apply to byte-level text
                continue;
            }
            byte[] merged = new byte[left.length + right.length];
            System.arraycopy(left, 0, merged, 0, left.length);
            System.arraycopy(right, 0, merged, left.length, right.length);
            ranks.putIfAbsent(intern(left), intern(right), rank);
            mergedByRank[rank] = intern(merged);
        }
    }

    private int intern(byte[] raw) {
        return symbols.putIfAbsent(raw, vocabSize + symbols.size());
    }

    /**
     * Encodes {@code source[from, to)}, one raw-text fragment, appending tokens with source spans.
     * {@code cache} (nullable) remembers words across the fragments of one call.
     */
    void encode(byte[] source, int from, int to, TokenSink sink, WordCache cache) {
        if (from == to) {
            return;
        }
        Utf8Fragment fragment = Utf8Fragment.decode(source, from, to);
        ProcessedText text = fragment.text();
        CodepointText codePoints = fragment.codePoints();
        IntList words = preTokenizer.split(codePoints);
        WordMerger merger = new WordMerger();
        IntList wordTokens = new IntList(48);
        int cp = 0;
        for (int w = 0; w < words.size(); w++) {
            int length = words.get(w);
            int wordFrom = text.from + codePoints.byteStarts[cp];
            int wordTo = text.from + codePoints.byteStarts[cp + length];
            cp += length;
            int bytes = wordTo - wordFrom;
            boolean cacheable = cache != null && bytes <= WordCache.MAX_WORD_BYTES;
            int entry = cacheable ? cache.find(text.bytes, wordFrom, bytes) : -1;
            if (entry >= 0) {
                cache.emit(entry, text, wordFrom, sink);
                continue;
            }
            wordTokens.clear();
            merger.encodeWord(text.bytes, wordFrom, wordTo, wordTokens);
            for (int i = 0; i < wordTokens.size(); i += 3) {
                sink.add(wordTokens.get(i), text.source(wordFrom + wordTokens.get(i + 1)), text.source(wordFrom + wordTokens.get(i + 2)));
            }
            if (cacheable) {
                cache.put(text.bytes, wordFrom, bytes, wordTokens);
            }
        }
    }

    /** Per-call scratch for merging one word at a time. */
    private final class WordMerger {
        private int[] start = new int[32];
        private int[] size = new int[32];
        private int[] symbol = new int[32];
        private int[] prev = new int[32];
        private int[] next = new int[32];
        private final BigramQueue queue = new BigramQueue();

        /** Appends (id, start, end) triples, positions relative to {@code from}. */
        void encodeWord(byte[] bytes, int from, int to, IntList out) {
            int length = to - from;
            if (preTokenizer.ignoreMerges() || length == 1) {
                int whole = length == 1 ? byteSymbols[bytes[from] & 0xFF] : symbols.get(bytes, from, length);
                if (whole >= 0 && whole < vocabSize && emittable[whole]) {
                    addTriple(out, whole, 0, length);
                    return;
                }
            }
            ensureCapacity(length);
            for (int i = 0; i < length; i++) {
                start[i] = from + i;
                size[i] = 1;
                symbol[i] = byteSymbols[bytes[from + i] & 0xFF];
                prev[i] = i - 1;
                next[i] = i + 1 == length ? -1 : i + 1;
            }
            queue.clear();
            for (int i = 1; i < length; i++) {
                addBigram(i - 1, i);
            }
            while (!queue.isEmpty()) {
                queue.poll();
                long key = queue.polledKey();
                int left = (int) key;
                int right = next[left];
                if (size[left] == 0 || right < 0 || size[right] == 0 || size[left] + size[right] != queue.polledPayload()) {
                    continue; // outdated: one side was merged since this pair was queued
                }
                symbol[left] = mergedByRank[(int) (key >>> 32)];
                size[left] += size[right];
                size[right] = 0;
                next[left] = next[right];
                if (next[right] >= 0) {
                    prev[next[right]] = left;
                }
                if (prev[left] >= 0) {
                    addBigram(prev[left], left);
                }
                if (next[left] >= 0) {
                    addBigram(left, next[left]);
                }
            }
            for (int i = 0; i != -1; i = next[i]) {
                int id = symbol[i];
                if (id < vocabSize && emittable[id]) {
                    addTriple(out, id, start[i] - from, start[i] - from + size[i]);
                    continue;
                }
                for (int j = start[i], end = start[i] + size[i]; j < end; j++) {
                    int byteToken = byteTokens[bytes[j] & 0xFF];
                    if (byteToken >= 0) {
                        addTriple(out, byteToken, j - from, j - from + 1);
                    }
                }
            }
        }

        private static void addTriple(IntList out, int id, int start, int end) {
            out.add(id);
            out.add(start);
            out.add(end);
        }

        private void addBigram(int left, int right) {
            int rank = ranks.get(symbol[left], symbol[right]);
            if (rank >= 0) {
                queue.push(((long) rank << 32) | left, size[left] + size[right]);
            }
        }

        private void ensureCapacity(int length) {
            if (start.length < length) {
                int capacity = Math.max(length, start.length * 2);
                start = new int[capacity];
                size = new int[capacity];
                symbol = new int[capacity];
                prev = new int[capacity];
                next = new int[capacity];
            }
        }
    }
}
