package io.starling.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.starling.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GenerateCommandTest {

    @ParameterizedTest
    @ValueSource(strings = {"stories260K-f32.gguf", "stories260K-f16.gguf", "aidreams260K-f32.gguf"})
    void greedyOutputIsGoldensTextByteForByte(String file) throws IOException {
        JsonNode golden = new ObjectMapper().readTree(TestModels.file("golden.json").toFile()).get("files").get(file);
        CliRun run = CliRun.of("generate", "-m", TestModels.file(file).toString(), "-p", golden.get("prompt").asText(),
                "-n", golden.get("n_predict").asText(), "--temp", "0", "-t", "2");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo(golden.get("generated_text").asText());
        assertThat(run.err()).contains("generated 64 tokens").contains("stop: length");
    }

    @Test
    void sameSeedSameText() {
        String model = TestModels.file("stories260K-Q8_0.gguf").toString();
        CliRun first = CliRun.of("generate", "-m", model, "-p", "Lily", "-n", "24", "--seed", "42", "--temp", "1.0");
        CliRun second = CliRun.of("generate", "-m", model, "-p", "Lily", "-n", "24", "--seed", "42", "--temp", "1.0");
        CliRun other = CliRun.of("generate", "-m", model, "-p", "Lily", "-n", "24", "--seed", "43", "--temp", "1.0");
        assertThat(first.out()).isNotEmpty().isEqualTo(second.out());
        assertThat(other.out()).isNotEqualTo(first.out());
    }

    @Test
    void badArgumentsAreOneLineErrors(@TempDir Path dir) throws IOException {
        String model = TestModels.file("stories260K-Q8_0.gguf").toString();
        CliRun negative = CliRun.of("generate", "-m", model, "-p", "x", "-n", "-1");
        assertThat(negative.exitCode()).isEqualTo(1);
        assertThat(negative.err().strip()).startsWith("starling: ").doesNotContain("\n");
        CliRun badTemp = CliRun.of("generate", "-m", model, "-p", "x", "--temp", "-2");
        assertThat(badTemp.exitCode()).isEqualTo(1);
        assertThat(badTemp.err()).contains("temperature");
        Path vocabOnly = TestModels.file("vocab/ggml-vocab-llama-spm.gguf");
        CliRun noWeights = CliRun.of("generate", "-m", vocabOnly.toString(), "-p", "x");
        assertThat(noWeights.exitCode()).isEqualTo(1);
        assertThat(noWeights.err().lines().count()).isEqualTo(1);
        Path junk = Files.writeString(dir.resolve("junk.gguf"), "GGUF but not really");
        assertThat(CliRun.of("generate", "-m", junk.toString(), "-p", "x").exitCode()).isEqualTo(1);
    }
}
