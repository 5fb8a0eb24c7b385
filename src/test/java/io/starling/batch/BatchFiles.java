package io.starling.batch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.starling.registry.EmbeddedModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs batch jobs on the embedded stories260K model and reads their outputs, for the batch tests. */
final class BatchFiles {

    static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Batches as the command's defaults make them (many sequences, prompt chunks beside decodes), batch-invariant as
     * the command is by default: a request's tokens then do not depend on which others run beside it, so an
     * interrupted, resumed or sharded job must equal an uninterrupted one bit for bit.
     */
    static final int SEQUENCES = 16;
    static final int STEP_TOKENS = 48;

    private BatchFiles() {
    }

    static Path model(Path dir) {
        return EmbeddedModel.extractTo(dir);
    }

    static BatchJob.Settings settings(Path model, Path input, Path output, Shard shard, long maxRequests) {
        return new BatchJob.Settings(model, null, input, output, shard, 1, SEQUENCES, STEP_TOKENS, 64, 60_000, maxRequests,
                60_000, true);
    }

    /** Runs the job; its stderr is returned for assertions on what recovery said. */
    static Run run(BatchJob.Settings settings) {
        StringWriter err = new StringWriter();
        try {
            BatchJob.Summary summary = new BatchJob(settings, new PrintWriter(err, true), false).run();
            return new Run(summary, err.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    record Run(BatchJob.Summary summary, String err) {
    }

    static Path write(Path file, String... lines) throws IOException {
        Files.writeString(file, String.join("\n", lines) + "\n");
        return file;
    }

    static List<JsonNode> read(Path output) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(output)) {
            lines.add(JSON.readTree(line));
        }
        return lines;
    }

    /**
     * The output without what differs between any two runs of the same requests: the random ids and the
     * {@code created} timestamps. What remains (custom_id, status, choices, tokens, usage, errors) must be equal.
     */
    static List<JsonNode> comparable(Path output) throws IOException {
        List<JsonNode> lines = read(output);
        for (JsonNode line : lines) {
            ((ObjectNode) line).remove("id");
            if (line.get("response").isObject()) {
                ObjectNode response = (ObjectNode) line.get("response");
                assertThat(response.get("request_id").asText()).startsWith("req_");
                response.remove("request_id");
                if (response.get("body").has("created")) {
                    ((ObjectNode) response.get("body")).remove(List.of("id", "created"));
                }
            }
        }
        return lines;
    }

    static String chat(String id, String prompt, int maxTokens, String sampling) {
        return "{\"custom_id\":\"" + id + "\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}],\"max_tokens\":" + maxTokens
                + "," + sampling + "}}";
    }

    static String completion(String id, String prompt, int maxTokens, String sampling) {
        return "{\"custom_id\":\"" + id + "\",\"method\":\"POST\",\"url\":\"/v1/completions\",\"body\":{"
                + "\"prompt\":\"" + prompt + "\",\"max_tokens\":" + maxTokens + "," + sampling + "}}";
    }

    /** Twelve requests: greedy and seeded, chat and legacy completions, of different lengths. */
    static String[] mixedRequests() {
        String[] prompts = {"Once upon a time", "The cat sat on the mat and", "Lily and Ben went to the park",
                "One day", "Tom had a red ball. He", "Sara liked to draw"};
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < prompts.length; i++) {
            lines.add(chat("chat-" + i, prompts[i], 12 + 3 * i, "\"temperature\":0"));
            lines.add(completion("text-" + i, prompts[i], 20 - i, "\"temperature\":0.9,\"seed\":" + (100 + i)));
        }
        return lines.toArray(String[]::new);
    }
}
