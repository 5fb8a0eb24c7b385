package io.starling.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.TestModels;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TokenizeCommandTest {

    @Test
    void printsTheGoldenPromptIdsWithBos() {
        CliRun run = CliRun.of("tokenize", "-m", TestModels.file("stories260K-f32.gguf").toString(), "-p", "Once upon a time");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out().strip()).isEqualTo("[1, 403, 407, 261, 378]");
    }

    @Test
    void worksOnVocabOnlyFilesAndPrintsJsonOffsets() {
        CliRun run = CliRun.of("tokenize", "-m", TestModels.file("vocab/ggml-vocab-gpt-2.gguf").toString(),
                "-p", "Hello world", "--json");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out().strip()).isEqualTo("{\"tokens\":[15496,995],\"offsets\":[[0,5],[5,11]]}");
    }

    @Test
    void noBosAndParseSpecial() {
        String model = TestModels.file("vocab/ggml-vocab-llama-spm.gguf").toString();
        CliRun plain = CliRun.of("tokenize", "-m", model, "--no-bos", "-p", "<s>Hi");
        CliRun special = CliRun.of("tokenize", "-m", model, "--no-bos", "--parse-special", "-p", "<s>Hi");
        assertThat(plain.out().strip()).doesNotStartWith("[1,");
        assertThat(special.out().strip()).startsWith("[1, ");
    }

    @Test
    void stdinTakesTheBytesAsTheyAre() {
        String model = TestModels.file("vocab/ggml-vocab-llama-spm.gguf").toString();
        String text = "  two spaces\n\ttab and trailing newline\n";
        InputStream original = System.in;
        try {
            System.setIn(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
            CliRun fromStdin = CliRun.of("tokenize", "-m", model, "--stdin");
            CliRun fromArg = CliRun.of("tokenize", "-m", model, "-p", text);
            assertThat(fromStdin.exitCode()).as(fromStdin.err()).isZero();
            assertThat(fromStdin.out()).isEqualTo(fromArg.out());
        } finally {
            System.setIn(original);
        }
    }

    @Test
    void needsExactlyOneInput() {
        String model = TestModels.file("vocab/ggml-vocab-llama-spm.gguf").toString();
        assertThat(CliRun.of("tokenize", "-m", model).exitCode()).isEqualTo(2);
        assertThat(CliRun.of("tokenize", "-m", model, "-p", "a", "--stdin").exitCode()).isEqualTo(2);
    }
}
