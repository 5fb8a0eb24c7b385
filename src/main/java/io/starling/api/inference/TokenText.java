package io.starling.api.inference;

import io.starling.tokenizer.Tokenizer;
import java.nio.charset.StandardCharsets;

/** How a single token is shown in logprobs: its text and its raw UTF-8 bytes (a token may hold half a character). */
public final class TokenText {

    private TokenText() {
    }

    public static String text(Tokenizer tokenizer, int id) {
        return new String(tokenizer.tokenBytes(id), StandardCharsets.UTF_8);
    }

    public static int[] bytes(Tokenizer tokenizer, int id) {
        byte[] raw = tokenizer.tokenBytes(id);
        int[] out = new int[raw.length];
        for (int i = 0; i < raw.length; i++) {
            out[i] = raw[i] & 0xFF;
        }
        return out;
    }
}
