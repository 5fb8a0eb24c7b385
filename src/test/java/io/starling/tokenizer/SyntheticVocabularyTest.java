package io.starling.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Behaviour that needs no real model: tiny hand-made vocabularies. */
class SyntheticVocabularyTest {
    private static final String[] BPE_TOKENS = {"a", "b", "c", "ab", "abc", "Ġ", "Ġa", "<|eot_id|>"};
    private static final String[] BPE_MERGES = {"a b", "Ġ a"};

    private static Tokenizer bpe(String pre) {
        return Tokenizers.fromVocabulary(Vocabulary.builder(Vocabulary.Model.BPE, BPE_TOKENS)
                .merges(BPE_MERGES)
                .tokenTypes(new int[] {1, 1, 1, 1, 1, 1, 1, 3})
                .preTokenizer(pre)
                .bos(7)
                .build());
    }

    @Test
    void llama3KeepsAWordThatIsATokenWholeWhereGpt2MergesFromBytes() {
        assertArrayEquals(new int[] {3, 2}, bpe("gpt-2").encode("abc", false, false).ids());
        assertArrayEquals(new int[] {4}, bpe("llama-bpe").encode("abc", false, false).ids());
        assertArrayEquals(new int[] {5, 3}, bpe("gpt-2").encode(" ab", false, false).ids(), "\"a b\" (rank 0) merges before \"Ġ a\" (rank 1)");
        assertArrayEquals(new int[] {6}, bpe("gpt-2").encode(" a", false, false).ids());
    }

    @Test
    void llama3AddsBosByDefaultAndEndsTurnsAtEotId() {
        Tokenizer llama3 = bpe("llama-bpe");
        assertTrue(llama3.addBos());
        assertArrayEquals(new int[] {7, 4}, llama3.encode("abc", true, false).ids());
        assertTrue(llama3.isEndOfGeneration(7));
        assertFalse(bpe("gpt-2").addBos());
    }

    @Test
    void badVocabulariesAreClearErrors() {
        assertEquals("unknown pre-tokenizer type 'brand-new' in tokenizer.ggml.pre",
                assertThrows(TokenizerException.class, () -> bpe("brand-new")).getMessage());
        assertThrows(TokenizerException.class, () -> Vocabulary.Model.fromGguf("bert"));
        assertThrows(TokenizerException.class,
                () -> Vocabulary.builder(Vocabulary.Model.BPE, BPE_TOKENS).preTokenizer("gpt-2").build(), "merges are required");
        assertThrows(TokenizerException.class,
                () -> Vocabulary.builder(Vocabulary.Model.BPE, BPE_TOKENS).merges(BPE_MERGES).addBos(true).build(), "add_bos without bos");
    }

    @Test
    void streamingHoldsBackACharacterSplitAcrossByteTokens() {
        String[] tokens = new String[259];
        int[] types = new int[259];
        tokens[0] = "<unk>";
        tokens[1] = "<s>";
        tokens[2] = "</s>";
        types[0] = TokenType.UNKNOWN.ggufValue();
        types[1] = TokenType.CONTROL.ggufValue();
        types[2] = TokenType.CONTROL.ggufValue();
        for (int b = 0; b < 256; b++) {
            tokens[3 + b] = String.format("<0x%02X>", b);
            types[3 + b] = TokenType.BYTE.ggufValue();
        }
        Tokenizer bytesOnly = Tokenizers.fromVocabulary(Vocabulary.builder(Vocabulary.Model.SPM, tokens).tokenTypes(types).build());

        int[] ids = bytesOnly.encode("🦙!", false, false).ids();
        assertArrayEquals(new int[] {3 + 0xE2, 3 + 0x96, 3 + 0x81, 3 + 0xF0, 3 + 0x9F, 3 + 0xA6, 3 + 0x99, 3 + '!'}, ids,
                "no ▁ token: the dummy prefix falls back to bytes too");
        StreamingDecoder decoder = bytesOnly.newStreamingDecoder();
        StringBuilder chunks = new StringBuilder();
        for (int id : ids) {
            chunks.append('[').append(decoder.accept(id)).append(']');
        }
        assertEquals("[][][▁][][][][🦙][!]", chunks.toString());
        assertEquals("", decoder.flush());

        StreamingDecoder cut = bytesOnly.newStreamingDecoder();
        assertEquals("", cut.accept(3 + 0xF0));
        assertEquals(1, cut.pendingBytes());
        assertEquals("\uFFFD", cut.flush(), "an unfinished character at the end becomes U+FFFD");
    }
}
