package io.starling.tokenizer;

import java.util.Set;

/**
 * A model's tokenizer: text to token ids with source byte offsets, ids back to text.
 * Implementations are immutable and thread-safe.
 */
public interface Tokenizer {
    /**
     * Encodes text. {@code addSpecial} adds BOS/EOS as the model asks; {@code parseSpecial} turns
     * special-token texts such as {@code <|im_end|>} into their tokens (otherwise they are encoded as
     * plain text). Offsets are into the UTF-8 encoding of {@code text}.
     */
    EncodedText encode(String text, boolean addSpecial, boolean parseSpecial);

    /** Encodes raw UTF-8 bytes (invalid sequences are tokenized as llama.cpp does); offsets index {@code utf8}. */
    EncodedText encode(byte[] utf8, boolean addSpecial, boolean parseSpecial);

    /**
     * Decodes a token sequence that starts a text: control tokens render as nothing, and for
     * SentencePiece vocabularies the dummy-prefix space of the first rendered token is removed, so
     * {@code decode(encode(text, …, false).ids()) == text}.
     */
    String decode(int[] ids);

    /**
     * Decodes; {@code startOfText} false keeps a leading space (the ids continue an earlier text), and
     * {@code renderSpecial} renders control tokens as their text.
     */
    String decode(int[] ids, boolean startOfText, boolean renderSpecial);

    /** The bytes a token stands for (control tokens: their literal text). A copy. */
    byte[] tokenBytes(int id);

    /** The token's text as stored in the vocabulary ("▁Hello", "Ġworld", "<0x0A>"). */
    String tokenText(int id);

    /** A decoder for generated tokens that emits only complete characters. */
    StreamingDecoder newStreamingDecoder();

    int vocabSize();

    /** The BOS id, or {@link Vocabulary#NO_TOKEN}. */
    int bos();

    /** The EOS id, or {@link Vocabulary#NO_TOKEN}. */
    int eos();

    /** True for EOS, EOT, EOM and the end-of-turn tokens chat models end with. */
    boolean isEndOfGeneration(int id);

    /** Every id for which {@link #isEndOfGeneration} holds. */
    default Set<Integer> endOfGenerationTokens() {
        return vocabulary().endOfGenerationTokens();
    }

    /** Whether {@code encode(…, addSpecial=true, …)} prepends BOS. */
    boolean addBos();

    Vocabulary vocabulary();
}
