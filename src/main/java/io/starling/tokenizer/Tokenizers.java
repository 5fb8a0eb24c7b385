package io.starling.tokenizer;

/** Factories for {@link Tokenizer}s. */
public final class Tokenizers {
    private Tokenizers() {
    }

    /** Compiles the vocabulary's merge rules and look-up tables once; the result is immutable and shareable. */
    public static Tokenizer fromVocabulary(Vocabulary vocabulary) {
        return new VocabTokenizer(vocabulary);
    }
}
