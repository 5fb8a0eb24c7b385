package io.starling.tokenizer;

import java.util.Arrays;

/**
 * Token ids and, for each token, the half-open span {@code [start, end)} of UTF-8 bytes of the input
 * it came from.
 *
 * <p>Spans are monotone and together cover the input exactly: the first starts at 0, each starts
 * where the previous ended, the last ends at the input length. Tokens that stand for no input bytes
 * (BOS/EOS added by {@code addSpecial}, the SentencePiece dummy-prefix space when it forms a token on
 * its own) have empty spans at the position where they were inserted. When the dummy prefix merges
 * into a word ({@code "▁Hello"}), that token's span is the word's bytes and starts at 0. Whitespace that
 * a special token strips next to itself (lstrip/rstrip attributes) belongs to the special token's span.
 * A token that covers only part of a character (byte fallback) gets the bytes it encodes when the
 * input was taken verbatim; where the tokenizer rewrote a character (space to "▁", invalid UTF-8 to
 * U+FFFD) the first partial token takes the whole source character and the rest get empty spans.
 */
public final class EncodedText {
    private final int[] ids;
    private final int[] starts;
    private final int[] ends;

    EncodedText(int[] ids, int[] starts, int[] ends) {
        this.ids = ids;
        this.starts = starts;
        this.ends = ends;
    }

    public int size() {
        return ids.length;
    }

    /** A copy of the token ids. */
    public int[] ids() {
        return ids.clone();
    }

    public int id(int index) {
        return ids[index];
    }

    public int start(int index) {
        return starts[index];
    }

    public int end(int index) {
        return ends[index];
    }

    /** {@code {"tokens":[…],"offsets":[[start,end],…]}}, as {@code starling tokenize --json} prints it. */
    public String toJson() {
        StringBuilder json = new StringBuilder(16 + ids.length * 16);
        json.append("{\"tokens\":[");
        for (int i = 0; i < ids.length; i++) {
            json.append(i == 0 ? "" : ",").append(ids[i]);
        }
        json.append("],\"offsets\":[");
        for (int i = 0; i < ids.length; i++) {
            json.append(i == 0 ? "[" : ",[").append(starts[i]).append(',').append(ends[i]).append(']');
        }
        return json.append("]}").toString();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof EncodedText that
                && Arrays.equals(ids, that.ids)
                && Arrays.equals(starts, that.starts)
                && Arrays.equals(ends, that.ends);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(ids) * 31 + Arrays.hashCode(starts);
    }

    @Override
    public String toString() {
        return toJson();
    }
}
