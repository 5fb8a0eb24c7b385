package io.starling.tokenizer;

import io.starling.TestModels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * llama.cpp's tokenizer conformance cases (models/ggml-vocab-*.gguf.inp/.out): no BOS/EOS, special
 * tokens not parsed, every case's ids must match exactly.
 */
class LlamaCppFixtureTest {
    private static final byte[] SEPARATOR = "\n__ggml_vocab_test__\n".getBytes(StandardCharsets.UTF_8);

    @ParameterizedTest
    @ValueSource(strings = {"ggml-vocab-llama-spm.gguf", "ggml-vocab-phi-3.gguf", "ggml-vocab-gpt-2.gguf"})
    void matchesEveryCase(String vocabFile) throws IOException {
        Tokenizer tokenizer = TestTokenizers.tokenizer("vocab/" + vocabFile);
        List<byte[]> inputs = splitCases(Files.readAllBytes(TestModels.file("vocab/" + vocabFile + ".inp")));
        List<String> outputs = Files.readAllLines(TestModels.file("vocab/" + vocabFile + ".out"), StandardCharsets.UTF_8);
        assertEquals(inputs.size(), outputs.size(), "cases in .inp vs lines in .out");

        List<String> failures = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            String expected = outputs.get(i).strip();
            int[] ids = tokenizer.encode(inputs.get(i), false, false).ids();
            String actual = String.join(" ", Arrays.stream(ids).mapToObj(Integer::toString).toList());
            if (!expected.equals(actual)) {
                failures.add("case " + i + " " + new String(inputs.get(i), StandardCharsets.UTF_8).replace("\n", "\\n")
                        + "\n  expected: " + expected + "\n  actual:   " + actual);
            }
        }
        assertEquals(List.of(), failures, vocabFile + ": " + failures.size() + " of " + inputs.size() + " cases differ");
    }

    static List<byte[]> splitCases(byte[] file) {
        List<byte[]> cases = new ArrayList<>();
        int start = 0;
        for (int i = 0; i + SEPARATOR.length <= file.length; i++) {
            if (Arrays.equals(file, i, i + SEPARATOR.length, SEPARATOR, 0, SEPARATOR.length)) {
                cases.add(Arrays.copyOfRange(file, start, i));
                i += SEPARATOR.length - 1;
                start = i + 1;
            }
        }
        return cases;
    }
}
