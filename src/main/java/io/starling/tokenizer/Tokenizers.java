package io.starling.tokenizer;

import io.starling.gguf.GgufMetadata;

/** Factories for {@link Tokenizer}s. */
public final class Tokenizers {
    private Tokenizers() {
    }

    /**
     * The tokenizer a GGUF model describes ({@code tokenizer.ggml.*}). Unsupported models or pre-tokenizers
     * are a {@link TokenizerException}; malformed values a {@code GgufFormatException}.
     */
    public static Tokenizer fromMetadata(GgufMetadata metadata) {
        return fromVocabulary(GgufVocabulary.read(metadata));
    }

    /** Compiles the vocabulary's merge rules and look-up tables once; the result is immutable and shareable. */
    public static Tokenizer fromVocabulary(Vocabulary vocabulary) {
        return new VocabTokenizer(vocabulary);
    }
}
