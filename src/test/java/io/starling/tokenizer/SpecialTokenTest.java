package io.starling.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SpecialTokenTest {
    @Test
    void controlTokensComeFromTextOnlyWhenParsingIsOn() {
        Tokenizer gpt2 = TestTokenizers.tokenizer("vocab/ggml-vocab-gpt-2.gguf");
        int[] plain = gpt2.encode("a<|endoftext|>b", false, false).ids();
        assertFalse(Arrays.stream(plain).anyMatch(id -> id == 50256), Arrays.toString(plain));

        EncodedText parsed = gpt2.encode("a<|endoftext|>b", false, true);
        assertEquals(3, parsed.size());
        assertEquals(50256, parsed.id(1));
        assertEquals(1, parsed.start(1));
        assertEquals(14, parsed.end(1));
        assertTrue(gpt2.isEndOfGeneration(50256));
    }

    @Test
    void spmAddsBosWithAnEmptySpanAndADummyPrefixAfterSpecialTokens() {
        Tokenizer llama = TestTokenizers.tokenizer("vocab/ggml-vocab-llama-spm.gguf");
        EncodedText hello = llama.encode("Hello", true, false);
        assertArrayEquals(new int[] {1, 15043}, hello.ids());
        assertEquals("{\"tokens\":[1,15043],\"offsets\":[[0,0],[0,5]]}", hello.toJson());

        EncodedText parsed = llama.encode("Hello</s>Hello", false, true);
        assertArrayEquals(new int[] {15043, 2, 15043}, parsed.ids());
        assertEquals("Hello", llama.decode(new int[] {1, 15043}));
        assertEquals("<s> Hello", llama.decode(new int[] {1, 15043}, false, true));
    }

    @Test
    void phi3SpecialTokensSwallowTheWhitespaceAfterThem() {
        Tokenizer phi3 = TestTokenizers.tokenizer("vocab/ggml-vocab-phi-3.gguf");
        EncodedText chat = phi3.encode("<|user|>\nHi<|end|>\n<|assistant|>", true, true);
        int[] ids = chat.ids();
        assertEquals(1, ids[0]);
        assertEquals(32010, ids[1]);
        assertEquals(32007, ids[ids.length - 2]);
        assertEquals(32001, ids[ids.length - 1]);
        assertEquals(0, chat.start(1));
        assertEquals(9, chat.end(1), "<|user|> takes the newline after it");
        assertTrue(phi3.isEndOfGeneration(32007), "<|end|> ends a turn");
        assertTrue(phi3.isEndOfGeneration(32000));
    }
}
