package io.starling.tokenizer.jinja;

/** A template that does not parse, fails while rendering, or calls {@code raise_exception}. */
public class TemplateException extends RuntimeException {
    public TemplateException(String message) {
        super(message);
    }
}
