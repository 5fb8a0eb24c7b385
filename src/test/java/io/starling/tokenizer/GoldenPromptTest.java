package io.starling.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The prompt tokens of golden.json: "Once upon a time" with BOS, special tokens not parsed. */
class GoldenPromptTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "stories260K-f32.gguf  | 1 403 407 261 378",
            "aidreams260K-f32.gguf | 1 429 491 433 295 429 444 445 265 262 263 342 430",
    })
    void promptTokensMatchLlamaCpp(String model, String expectedIds) {
        Tokenizer tokenizer = TestTokenizers.tokenizer(model);
        EncodedText encoded = tokenizer.encode("Once upon a time", true, false);
        int[] expected = java.util.Arrays.stream(expectedIds.trim().split(" ")).mapToInt(Integer::parseInt).toArray();
        assertArrayEquals(expected, encoded.ids());
        assertEquals("Once upon a time", tokenizer.decode(encoded.ids()));
    }
}
