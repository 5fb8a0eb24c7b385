package io.starling.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.starling.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class InspectCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            // file,                            layers, heads, kv, context, vocab, dim, tensor types
            "stories260K-f32.gguf,              5, 8, 4, 512, 512, 64, F32",
            "stories260K-f16.gguf,              5, 8, 4, 512, 512, 64, F16 F32",
            "stories260K-Q8_0.gguf,             5, 8, 4, 512, 512, 64, F16 F32 Q8_0",
            "stories260K-Q4_0.gguf,             5, 8, 4, 512, 512, 64, F16 F32 Q4_0 Q8_0",
            "stories260K-Q4_K_M.gguf,           5, 8, 4, 512, 512, 64, F16 F32 Q5_0 Q8_0",
            "aidreams260K-f32.gguf,             4, 4, 4, 128, 512, 64, F32",
            "aidreams260K-Q8_0.gguf,            4, 4, 4, 128, 512, 64, F16 F32 Q8_0",
            "stories260K-pad256-Q2_K.gguf,      5, 32, 16, 512, 512, 256, ",
            "stories260K-pad256-Q3_K_M.gguf,    5, 32, 16, 512, 512, 256, ",
            "stories260K-pad256-Q4_K_M.gguf,    5, 32, 16, 512, 512, 256, ",
            "stories260K-pad256-Q4_K_S.gguf,    5, 32, 16, 512, 512, 256, ",
            "stories260K-pad256-Q5_K_M.gguf,    5, 32, 16, 512, 512, 256, ",
            "stories260K-pad256-Q6_K.gguf,      5, 32, 16, 512, 512, 256, ",
            "stories260K-pad256-Q4_0.gguf,      5, 32, 16, 512, 512, 256, ",
            "stories260K-pad256-Q4_1.gguf,      5, 32, 16, 512, 512, 256, ",
            "stories260K-pad256-Q5_0.gguf,      5, 32, 16, 512, 512, 256, ",
            "stories260K-pad256-Q5_1.gguf,      5, 32, 16, 512, 512, 256, ",
            "stories260K-pad256-Q8_0.gguf,      5, 32, 16, 512, 512, 256, ",
            "stories260K-pad256-f16.gguf,       5, 32, 16, 512, 512, 256, F16 F32",
            "stories260K-pad256-f32.gguf,       5, 32, 16, 512, 512, 256, F32",
    })
    void jsonDescribesEveryRealModel(String file, int layers, int heads, int kvHeads, int context, int vocab,
                                     int dim, String exactTypes) throws IOException {
        Path path = TestModels.file(file);
        CliRun run = CliRun.of("inspect", "--json", path.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode root = JSON.readTree(run.out());
        assertThat(root.get("version").asInt()).isEqualTo(3);
        assertThat(root.get("architecture").asText()).isEqualTo("llama");
        JsonNode md = root.get("metadata");
        assertThat(md.get("llama.block_count").asInt()).isEqualTo(layers);
        assertThat(md.get("llama.attention.head_count").asInt()).isEqualTo(heads);
        assertThat(md.get("llama.attention.head_count_kv").asInt()).isEqualTo(kvHeads);
        assertThat(md.get("llama.context_length").asInt()).isEqualTo(context);
        assertThat(md.get("llama.embedding_length").asInt()).isEqualTo(dim);
        assertThat(md.get("tokenizer.ggml.tokens").asInt()).as("vocab summarised as its length").isEqualTo(vocab);

        Set<String> types = new TreeSet<>();
        long previousEnd = 0;
        for (JsonNode tensor : root.get("tensors")) {
            types.add(tensor.get("type").asText());
            long offset = tensor.get("offset").asLong();
            assertThat(offset).as("tensors lie in file order without overlap").isGreaterThanOrEqualTo(previousEnd);
            assertThat(offset % 32).isZero();
            previousEnd = offset + tensor.get("bytes").asLong();
        }
        assertThat(previousEnd).isLessThanOrEqualTo(Files.size(path));
        if (exactTypes != null) {
            assertThat(types).containsExactlyInAnyOrder(exactTypes.split(" "));
        } else {
            String quant = file.substring("stories260K-pad256-".length(), file.length() - ".gguf".length());
            String main = quant.replaceAll("_[SM]$", "");
            assertThat(types).as("the pad256 files hold real blocks of the type they are named for").contains(main);
        }
    }

    @Test
    void textShowsTheSummaryAndTensorTable() {
        CliRun run = CliRun.of("inspect", TestModels.file("stories260K-Q4_K_M.gguf").toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out())
                .contains("GGUF v3")
                .containsPattern("architecture +llama")
                .containsPattern("layers +5")
                .containsPattern("attention heads +8")
                .containsPattern("attention kv heads +4")
                .containsPattern("context length +512")
                .containsPattern("vocab size +512")
                .contains("F32 x11", "F16 x5", "Q5_0 x29", "Q8_0 x3")
                .containsPattern("blk\\.0\\.attn_q\\.weight +Q5_0 +64 x 64");
        assertThat(run.err()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({"ggml-vocab-llama-spm.gguf, 32000, llama", "ggml-vocab-gpt-2.gguf, 50257, gpt2",
            "ggml-vocab-phi-3.gguf, 32064, llama"})
    void vocabOnlyFiles(String file, int vocab, String tokenizer) throws IOException {
        CliRun run = CliRun.of("inspect", "--json", TestModels.file("vocab/" + file).toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode root = JSON.readTree(run.out());
        assertThat(root.get("tensors")).isEmpty();
        assertThat(root.get("metadata").get("tokenizer.ggml.tokens").asInt()).isEqualTo(vocab);
        assertThat(root.get("metadata").get("tokenizer.ggml.model").asText()).isEqualTo(tokenizer);
    }

    @Test
    void allPrintsArraysInFull() throws IOException {
        CliRun run = CliRun.of("inspect", "--json", "--all", TestModels.file("stories260K-f32.gguf").toString());
        JsonNode tokens = JSON.readTree(run.out()).get("metadata").get("tokenizer.ggml.tokens");
        assertThat(tokens.isArray()).isTrue();
        assertThat(tokens.size()).isEqualTo(512);
        assertThat(tokens.get(1).asText()).isEqualTo("<s>");
    }

    @Test
    void missingFileIsOneLineAndExitOne() {
        CliRun run = CliRun.of("inspect", "/nonexistent/model.gguf");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err().strip()).isEqualTo("starling: no such file: /nonexistent/model.gguf");
    }

    @Test
    void notAGgufFileIsOneLine(@TempDir Path dir) throws IOException {
        Path junk = Files.writeString(dir.resolve("junk.gguf"), "this is not a model, just some text");
        CliRun run = CliRun.of("inspect", junk.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err().lines().count()).isEqualTo(1);
        assertThat(run.err()).startsWith("starling: ").containsIgnoringCase("magic");
    }

    @Test
    void badUsageExitsTwo() {
        CliRun run = CliRun.of("inspect", "--bogus");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().lines().count()).isEqualTo(1);
        CliRun unknown = CliRun.of("frobnicate");
        assertThat(unknown.exitCode()).isEqualTo(2);
    }
}
