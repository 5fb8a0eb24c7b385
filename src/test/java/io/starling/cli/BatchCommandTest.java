package io.starling.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.starling.registry.EmbeddedModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchCommandTest {

    @TempDir
    Path dir;

    @Test
    void batchRunsShardsThatMergeIntoInputOrderAndReportsTokens() throws IOException {
        String model = EmbeddedModel.extractTo(dir).toString();
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            lines.add("{\"custom_id\":\"q" + i + "\",\"method\":\"POST\",\"url\":\"/v1/completions\",\"body\":"
                    + "{\"prompt\":\"Once upon a time\",\"max_tokens\":" + (4 + i) + ",\"temperature\":0}}");
        }
        Path input = dir.resolve("in.jsonl");
        Files.write(input, lines);
        List<String> shards = new ArrayList<>();
        for (int shard = 0; shard < 2; shard++) {
            Path output = dir.resolve("shard-" + shard + ".jsonl");
            CliRun run = CliRun.of("batch", "-m", model, "-i", input.toString(), "-o", output.toString(),
                    "--shard", shard + "/2", "-t", "1", "--max-batch-size", "3", "--max-batch-tokens", "3");
            assertThat(run.exitCode()).as(run.err()).isZero();
            int mine = shard == 0 ? 3 : 2;
            assertThat(run.err()).contains(mine + "/" + mine + " lines done (" + mine + " in this run, 0 of them failed)")
                    .contains("generated tokens/s").contains("complete: " + output);
            shards.add(output.toString());
        }
        Path merged = dir.resolve("out.jsonl");
        List<String> merge = new ArrayList<>(List.of("batch", "merge", "-i", input.toString(), "-o", merged.toString()));
        merge.addAll(shards);
        CliRun run = CliRun.of(merge.toArray(String[]::new));
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).contains("5 lines from 2 shards");
        ObjectMapper json = new ObjectMapper();
        List<String> out = Files.readAllLines(merged);
        assertThat(out).hasSize(5);
        for (int i = 0; i < 5; i++) {
            JsonNode line = json.readTree(out.get(i));
            assertThat(line.get("custom_id").asText()).isEqualTo("q" + i);
            assertThat(line.at("/response/body/usage/completion_tokens").asInt()).isEqualTo(4 + i);
        }
    }

    @Test
    void missingOptionsAndBadShardsAreOneLineErrors() {
        CliRun missing = CliRun.of("batch", "-i", "in.jsonl", "-o", "out.jsonl");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("Missing required option: '--model'");
        CliRun shard = CliRun.of("batch", "-m", "x.gguf", "-i", "in.jsonl", "-o", "out.jsonl", "--shard", "2/2");
        assertThat(shard.exitCode()).isEqualTo(1);
        assertThat(shard.err()).startsWith("starling: --shard I/N: I must be in 0..1, got 2").doesNotContain("\tat ");
        CliRun noShards = CliRun.of("batch", "merge", "-o", "out.jsonl");
        assertThat(noShards.exitCode()).isEqualTo(2);
    }
}
