package io.starling.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Contracts that hold for every valid input: decode inverts encode, offsets cover the input exactly and
 * slice it to each token's bytes, and streaming decoding yields the same text in whole characters.
 * SentencePiece cannot give back a literal "▁" (U+2581: it is the model's space), so those inputs leave it out.
 */
class TokenizerPropertyTest {
    private static final int CASES = 400;

    @ParameterizedTest
    @ValueSource(strings = {"vocab/ggml-vocab-llama-spm.gguf", "vocab/ggml-vocab-phi-3.gguf", "vocab/ggml-vocab-gpt-2.gguf", "stories260K-f32.gguf"})
    void decodeInvertsEncodeAndOffsetsSliceTheInput(String model) {
        Tokenizer tokenizer = TestTokenizers.tokenizer(model);
        boolean spm = tokenizer.vocabulary().model() == Vocabulary.Model.SPM;
        Random random = new Random(model.hashCode());
        for (int c = 0; c < CASES; c++) {
            String text = RandomText.next(random, 12, !spm);
            for (boolean addSpecial : new boolean[] {false, true}) {
                EncodedText encoded = tokenizer.encode(text, addSpecial, false);
                assertEquals(text, tokenizer.decode(encoded.ids()), () -> "round trip of " + escape(text));
                assertOffsetsSliceInput(tokenizer, text.getBytes(StandardCharsets.UTF_8), encoded, spm);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"vocab/ggml-vocab-llama-spm.gguf", "vocab/ggml-vocab-gpt-2.gguf"})
    void streamingDecoderEmitsWholeCharactersOnly(String model) {
        Tokenizer tokenizer = TestTokenizers.tokenizer(model);
        boolean spm = tokenizer.vocabulary().model() == Vocabulary.Model.SPM;
        Random random = new Random(42);
        for (int c = 0; c < CASES; c++) {
            String text = RandomText.next(random, 12, !spm).replace("\uFFFD", "");
            int[] ids = tokenizer.encode(text, false, false).ids();
            StreamingDecoder decoder = tokenizer.newStreamingDecoder();
            StringBuilder streamed = new StringBuilder();
            for (int id : ids) {
                String chunk = decoder.accept(id);
                assertFalse(chunk.contains("\uFFFD"), () -> "chunk split a character in " + escape(text));
                streamed.append(chunk);
            }
            assertEquals(0, decoder.pendingBytes());
            streamed.append(decoder.flush());
            assertEquals(tokenizer.decode(ids, false, false), streamed.toString());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"vocab/ggml-vocab-llama-spm.gguf", "vocab/ggml-vocab-gpt-2.gguf"})
    void invalidUtf8IsEncodedWithCoveringOffsets(String model) {
        Tokenizer tokenizer = TestTokenizers.tokenizer(model);
        Random random = new Random(7);
        for (int c = 0; c < CASES; c++) {
            byte[] bytes = new byte[random.nextInt(24)];
            random.nextBytes(bytes);
            EncodedText encoded = tokenizer.encode(bytes, false, false);
            assertCovers(bytes.length, encoded);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"vocab/ggml-vocab-llama-spm.gguf", "vocab/ggml-vocab-gpt-2.gguf"})
    void oneTokenizerServesManyThreads(String model) throws Exception {
        Tokenizer tokenizer = TestTokenizers.tokenizer(model);
        Random random = new Random(5);
        String[] texts = new String[200];
        EncodedText[] expected = new EncodedText[texts.length];
        for (int i = 0; i < texts.length; i++) {
            texts[i] = RandomText.next(random, 200, true); // long enough to use the word cache
            expected[i] = tokenizer.encode(texts[i], true, true);
        }
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(4)) {
            List<java.util.concurrent.Future<?>> runs = new java.util.ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int offset = t;
                runs.add(pool.submit(() -> {
                    for (int i = 0; i < texts.length; i++) {
                        int k = (i + offset * 50) % texts.length;
                        assertEquals(expected[k], tokenizer.encode(texts[k], true, true));
                    }
                }));
            }
            for (var run : runs) {
                run.get();
            }
        }
    }

    static void assertOffsetsSliceInput(Tokenizer tokenizer, byte[] input, EncodedText encoded, boolean spm) {
        assertCovers(input.length, encoded);
        boolean firstText = true;
        for (int i = 0; i < encoded.size(); i++) {
            int id = encoded.id(i);
            if (tokenizer.vocabulary().isControl(id)) {
                assertEquals(encoded.start(i), encoded.end(i), "added special tokens have empty spans");
                continue;
            }
            byte[] slice = Arrays.copyOfRange(input, encoded.start(i), encoded.end(i));
            byte[] piece = tokenizer.tokenBytes(id);
            if (spm && firstText && piece.length > 0 && piece[0] == ' ' && slice.length == piece.length - 1) {
                piece = Arrays.copyOfRange(piece, 1, piece.length); // the dummy-prefix space has no source bytes
            }
            firstText = false;
            int index = i;
            assertArrayEquals(piece, slice, () -> "token " + index + " (" + id + " " + tokenizer.tokenText(id) + ") in " + encoded);
        }
    }

    static void assertCovers(int length, EncodedText encoded) {
        int previousEnd = 0;
        for (int i = 0; i < encoded.size(); i++) {
            assertEquals(previousEnd, encoded.start(i), "token " + i + " starts where the previous ended: " + encoded);
            assertTrue(encoded.end(i) >= encoded.start(i));
            previousEnd = encoded.end(i);
        }
        if (encoded.size() > 0) {
            assertEquals(length, previousEnd, "the last token ends at the input's end");
        }
    }

    private static String escape(String text) {
        StringBuilder out = new StringBuilder();
        text.codePoints().forEach(cp -> out.append(cp < 0x20 || cp > 0x7E ? String.format("\\u{%X}", cp) : Character.toString(cp)));
        return out.toString();
    }
}
