package io.starling.tokenizer;

/**
 * Per-token attribute bits, as llama.cpp derives them from the GGUF token types plus a few
 * model-specific fix-ups (control-looking end tokens, phi-3's whitespace stripping).
 */
final class TokenAttr {
    static final int UNDEFINED = 0;
    static final int UNKNOWN = 1;
    static final int UNUSED = 1 << 1;
    static final int NORMAL = 1 << 2;
    static final int CONTROL = 1 << 3;
    static final int USER_DEFINED = 1 << 4;
    static final int BYTE = 1 << 5;
    static final int LSTRIP = 1 << 7;
    static final int RSTRIP = 1 << 8;

    /** Tokens whose text never comes out of plain-text encoding and is not rendered by default. */
    static final int SPECIAL = UNKNOWN | CONTROL;

    private TokenAttr() {
    }

    static int fromType(TokenType type) {
        return switch (type) {
            case UNDEFINED -> UNDEFINED;
            case NORMAL -> NORMAL;
            case UNKNOWN -> UNKNOWN;
            case CONTROL -> CONTROL;
            case USER_DEFINED -> USER_DEFINED;
            case UNUSED -> UNUSED;
            case BYTE -> BYTE;
        };
    }
}
