package io.starling.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.starling.registry.EmbeddedModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code starling batch --config}: /v1/pipelines/{name} lines, defined as the server defines them. */
class BatchPipelineCommandTest {

    private static final String PROMPT = "Once upon a time, Lily found a ball. She was";
    private static final List<String> LABELS = List.of("happy", "sad");

    @TempDir
    Path dir;

    @Test
    void pipelineLinesAnswerLikeTheEngineScoresTheLabels() throws IOException {
        String model = EmbeddedModel.extractTo(dir).toString();
        Path config = dir.resolve("pipelines.properties");
        Files.writeString(config, """
                starling.pipelines.mood.stages=tokenize,classify
                starling.pipelines.mood.classify.labels=happy,sad
                starling.pipelines.mood.classify.template={input} She was
                """);
        Path input = dir.resolve("in.jsonl");
        Files.write(input, List.of(
                line("p", "/v1/pipelines/mood", "{\"input\":[\"Once upon a time, Lily found a ball.\",\"Tom ran.\"]}"),
                line("unknown", "/v1/pipelines/nope", "{\"input\":\"x\"}"),
                line("bad", "/v1/pipelines/mood", "{\"input\":7}"),
                line("prompt", "/v1/completions", echo(PROMPT)),
                line("happy", "/v1/completions", echo(PROMPT + " happy")),
                line("sad", "/v1/completions", echo(PROMPT + " sad"))));
        Path output = dir.resolve("out.jsonl");
        CliRun run = CliRun.of("batch", "-m", model, "-i", input.toString(), "-o", output.toString(), "-t", "1",
                "--config", config.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();

        Map<String, JsonNode> byId = new HashMap<>();
        ObjectMapper json = new ObjectMapper();
        for (String out : Files.readAllLines(output)) {
            JsonNode node = json.readTree(out);
            byId.put(node.get("custom_id").asText(), node.get("response"));
        }
        JsonNode result = byId.get("p").get("body");
        assertThat(byId.get("p").get("status_code").asInt()).isEqualTo(200);
        assertThat(result.at("/data").size()).isEqualTo(2);
        JsonNode tokens = result.at("/data/1/stages/tokenize");
        assertThat(tokens.get("count").asInt()).isEqualTo(tokens.get("tokens").size()).isGreaterThan(1);
        assertThat(tokens.at("/tokens/0").asInt()).isEqualTo(1); // BOS

        // the label likelihoods as the engine scores them through /v1/completions echo, in the same job
        int promptTokens = byId.get("prompt").at("/body/choices/0/logprobs/token_logprobs").size();
        double[] sums = new double[LABELS.size()];
        for (int l = 0; l < sums.length; l++) {
            JsonNode logprobs = byId.get(LABELS.get(l)).at("/body/choices/0/logprobs/token_logprobs");
            for (int t = promptTokens; t < logprobs.size(); t++) {
                sums[l] += logprobs.get(t).asDouble();
            }
        }
        double happy = 1 / (1 + Math.exp(sums[1] - sums[0]));
        assertThat(result.at("/data/0/stages/classify/scores/happy").asDouble()).isCloseTo(happy, within(1e-4));
        assertThat(result.at("/data/0/label").asText()).isEqualTo(happy >= 0.5 ? "happy" : "sad");
        assertThat(result.at("/data/0/confidence").asDouble()).isCloseTo(Math.max(happy, 1 - happy), within(1e-4));

        assertThat(byId.get("unknown").get("status_code").asInt()).isEqualTo(404);
        assertThat(byId.get("unknown").at("/body/error/code").asText()).isEqualTo("pipeline_not_found");
        assertThat(byId.get("bad").get("status_code").asInt()).isEqualTo(400);
        assertThat(byId.get("bad").at("/body/error/param").asText()).isEqualTo("input");
    }

    @Test
    void aBadDefinitionIsAOneLineErrorNamingTheKey() throws IOException {
        Path config = dir.resolve("bad.properties");
        Files.writeString(config, "starling.pipelines.mood.stages=tokenize,classify\n");
        CliRun run = CliRun.of("batch", "-m", "x.gguf", "-i", "in.jsonl", "-o", "out.jsonl", "--config", config.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("starling.pipelines.mood.classify.labels").doesNotContain("\tat ");
    }

    private static String line(String id, String url, String body) {
        return "{\"custom_id\":\"" + id + "\",\"method\":\"POST\",\"url\":\"" + url + "\",\"body\":" + body + "}";
    }

    private static String echo(String prompt) {
        return "{\"prompt\":\"" + prompt + "\",\"max_tokens\":0,\"echo\":true,\"logprobs\":0}";
    }
}
