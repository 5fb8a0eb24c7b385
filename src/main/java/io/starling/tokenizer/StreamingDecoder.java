package io.starling.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Turns generated tokens into text one token at a time, emitting only whole UTF-8 characters: the
 * bytes of a character split across byte tokens are held back until the character is complete.
 * Bytes that can never complete a character are emitted as U+FFFD. Not thread-safe: one per sequence.
 *
 * <p>The decoder continues a text, so a leading space of the first token is kept (generation follows a
 * prompt). Control tokens render as nothing unless the decoder was made to render them.
 */
public final class StreamingDecoder {
    private final TokenPieces pieces;
    private final boolean renderSpecial;
    private byte[] pending = new byte[16];
    private int pendingLength;

    StreamingDecoder(TokenPieces pieces, boolean renderSpecial) {
        this.pieces = pieces;
        this.renderSpecial = renderSpecial;
    }

    /** Adds one token; returns the text that became complete (often empty, never null). */
    public String accept(int tokenId) {
        if (tokenId < 0 || tokenId >= pieces.size()) {
            throw new IllegalArgumentException("token id " + tokenId + " is outside the vocabulary");
        }
        if (pieces.isHidden(tokenId) && !renderSpecial) {
            return "";
        }
        byte[] piece = pieces.piece(tokenId);
        if (pendingLength + piece.length > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingLength + piece.length));
        }
        System.arraycopy(piece, 0, pending, pendingLength, piece.length);
        pendingLength += piece.length;
        int complete = completePrefix(pending, pendingLength);
        if (complete == 0) {
            return "";
        }
        String text = new String(pending, 0, complete, StandardCharsets.UTF_8);
        System.arraycopy(pending, complete, pending, 0, pendingLength - complete);
        pendingLength -= complete;
        return text;
    }

    /** Ends the stream: any held-back partial character comes out as U+FFFD. */
    public String flush() {
        String text = new String(pending, 0, pendingLength, StandardCharsets.UTF_8);
        pendingLength = 0;
        return text;
    }

    /** Bytes held back because they may start a character that later tokens complete. */
    public int pendingBytes() {
        return pendingLength;
    }

    /**
     * The length of the longest prefix that ends on a character boundary: everything except a trailing
     * lead byte followed by fewer continuation bytes than it announces.
     */
    static int completePrefix(byte[] bytes, int length) {
        int lead = length - 1;
        int continuations = 0;
        while (lead >= 0 && continuations < 3 && (bytes[lead] & 0xC0) == 0x80) {
            lead--;
            continuations++;
        }
        if (lead < 0) {
            return length;
        }
        int b = bytes[lead] & 0xFF;
        int needed = b >= 0xF0 && b <= 0xF4 ? 3 : b >= 0xE0 && b <= 0xEF ? 2 : b >= 0xC2 && b <= 0xDF ? 1 : -1;
        return needed > continuations ? lead : length;
    }
}
