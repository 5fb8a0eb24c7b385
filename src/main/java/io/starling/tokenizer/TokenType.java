package io.starling.tokenizer;

/** The token kinds GGUF stores in {@code tokenizer.ggml.token_type}, with their on-disk values. */
public enum TokenType {
    UNDEFINED(0),
    NORMAL(1),
    UNKNOWN(2),
    CONTROL(3),
    USER_DEFINED(4),
    UNUSED(5),
    BYTE(6);

    private final int ggufValue;

    TokenType(int ggufValue) {
        this.ggufValue = ggufValue;
    }

    public int ggufValue() {
        return ggufValue;
    }

    /** Unknown values map to {@link #UNDEFINED}, as llama.cpp does. */
    public static TokenType fromGguf(int value) {
        for (TokenType type : values()) {
            if (type.ggufValue == value) {
                return type;
            }
        }
        return UNDEFINED;
    }
}
