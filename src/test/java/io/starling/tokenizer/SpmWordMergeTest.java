package io.starling.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.starling.gguf.GgufMetadata;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * SpmEncoder merges word by word when no token has a "▁" after another character. That must give the
 * same ids as one merge queue over the whole text, which the encoder falls back to when the vocabulary
 * has such a token: add one that random text cannot contain, and compare.
 */
class SpmWordMergeTest {
    @Test
    void wordByWordMergingEqualsWholeTextMerging() {
        GgufMetadata metadata = TestTokenizers.metadata("vocab/ggml-vocab-llama-spm.gguf");
        Tokenizer wordByWord = Tokenizers.fromMetadata(metadata);
        Tokenizer wholeText = Tokenizers.fromVocabulary(withExtraToken(metadata, "\uE000▁\uE001"));

        Random random = new Random(3);
        for (int i = 0; i < 500; i++) {
            String text = RandomText.next(random, 20, false).replace("\uE000", "");
            assertEquals(Arrays.toString(wholeText.encode(text, true, false).ids()),
                    Arrays.toString(wordByWord.encode(text, true, false).ids()), text);
        }
    }

    private static Vocabulary withExtraToken(GgufMetadata metadata, String extra) {
        String[] original = metadata.getStringArray("tokenizer.ggml.tokens");
        String[] tokens = Arrays.copyOf(original, original.length + 1);
        tokens[tokens.length - 1] = extra;
        float[] scores = Arrays.copyOf(metadata.getFloatArray("tokenizer.ggml.scores"), tokens.length);
        scores[tokens.length - 1] = -1e9f;
        int[] types = Arrays.copyOf(metadata.getIntArray("tokenizer.ggml.token_type"), tokens.length);
        types[tokens.length - 1] = TokenType.NORMAL.ggufValue();
        return Vocabulary.builder(Vocabulary.Model.SPM, tokens).scores(scores).tokenTypes(types).build();
    }
}
