package io.starling.tokenizer;

import java.nio.charset.StandardCharsets;

/**
 * The bytes each token stands for in text, computed once per vocabulary, as llama.cpp's
 * {@code token_to_piece}: normal tokens spell their text ("▁" as a space for SentencePiece, byte-level
 * characters as bytes for BPE), byte tokens their byte, user-defined, control and unknown tokens their
 * literal text. Control and unknown tokens are hidden when decoding unless asked for.
 */
final class TokenPieces {
    private final byte[][] pieces;
    private final boolean[] hidden;

    TokenPieces(Vocabulary vocab) {
        int n = vocab.size();
        pieces = new byte[n][];
        hidden = new boolean[n];
        boolean spm = vocab.model() == Vocabulary.Model.SPM;
        for (int id = 0; id < n; id++) {
            String text = vocab.token(id);
            int attr = vocab.attr(id);
            if ((attr & (TokenAttr.SPECIAL | TokenAttr.USER_DEFINED)) != 0) {
                pieces[id] = text.getBytes(StandardCharsets.UTF_8);
                hidden[id] = (attr & TokenAttr.SPECIAL) != 0;
            } else if ((attr & TokenAttr.NORMAL) != 0) {
                pieces[id] = spm ? text.replace('▁', ' ').getBytes(StandardCharsets.UTF_8) : ByteLevel.decodeLenient(text);
            } else if ((attr & TokenAttr.BYTE) != 0) {
                pieces[id] = new byte[] {parseByteToken(text)};
            } else {
                pieces[id] = new byte[0]; // unused and undefined tokens render as nothing
                hidden[id] = true;
            }
        }
    }

    private static byte parseByteToken(String text) {
        if (text.length() == 6 && text.startsWith("<0x") && text.endsWith(">")) {
            return (byte) Integer.parseInt(text.substring(3, 5), 16);
        }
        throw new TokenizerException("byte token '" + text + "' is not of the form <0xNN>");
    }

    /** The piece bytes (not a copy: callers must not modify). */
    byte[] piece(int id) {
        return pieces[id];
    }

    boolean isHidden(int id) {
        return hidden[id];
    }

    int size() {
        return pieces.length;
    }
}
