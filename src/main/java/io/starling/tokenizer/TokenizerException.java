package io.starling.tokenizer;

/** A vocabulary or template that cannot be used: bad metadata, unsupported pre-tokenizer, template error. */
public class TokenizerException extends RuntimeException {
    public TokenizerException(String message) {
        super(message);
    }

    public TokenizerException(String message, Throwable cause) {
        super(message, cause);
    }
}
