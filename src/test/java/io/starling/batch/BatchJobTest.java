package io.starling.batch;

import static io.starling.batch.BatchFiles.JSON;
import static io.starling.batch.BatchFiles.comparable;
import static io.starling.batch.BatchFiles.read;
import static io.starling.batch.BatchFiles.run;
import static io.starling.batch.BatchFiles.settings;
import static io.starling.batch.BatchFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Batch jobs on the embedded stories260K model: the output format, bad lines, embeddings, resume and shards. */
class BatchJobTest {

    @TempDir
    static Path shared;
    static Path model;

    @TempDir
    Path dir;

    @BeforeAll
    static void extract() {
        model = BatchFiles.model(shared);
    }

    /** The input example of OpenAI's Batch guide, and its output example: our line has every field theirs has. */
    @Test
    void openAisDocumentedInputLinesGiveLinesOfTheirDocumentedOutputShape() throws IOException {
        // the guide's two lines, with max_tokens 1000 cut to 16: stories260K has a context of 512 tokens
        Path input = write(dir.resolve("in.jsonl"),
                "{\"custom_id\": \"request-1\", \"method\": \"POST\", \"url\": \"/v1/chat/completions\", \"body\": "
                        + "{\"model\": \"gpt-3.5-turbo-0125\", \"messages\": [{\"role\": \"system\", \"content\": "
                        + "\"You are a helpful assistant.\"},{\"role\": \"user\", \"content\": \"Hello world!\"}],"
                        + "\"max_tokens\": 16}}",
                "{\"custom_id\": \"request-2\", \"method\": \"POST\", \"url\": \"/v1/chat/completions\", \"body\": "
                        + "{\"model\": \"gpt-3.5-turbo-0125\", \"messages\": [{\"role\": \"system\", \"content\": "
                        + "\"You are an unhelpful assistant.\"},{\"role\": \"user\", \"content\": \"Hello world!\"}],"
                        + "\"max_tokens\": 16}}");
        Path output = dir.resolve("out.jsonl");
        BatchJob.Settings named = new BatchJob.Settings(model, "gpt-3.5-turbo-0125", input, output, Shard.ALL, 1, 16,
                512, 64, 60_000, 0, 60_000, true);
        BatchFiles.Run done = run(named);
        assertThat(done.summary().complete()).isTrue();
        assertThat(done.summary().failed()).isZero();
        JsonNode documented = JSON.readTree("""
                {"id": "batch_req_123", "custom_id": "request-2", "response": {"status_code": 200, "request_id": "req_123",
                 "body": {"id": "chatcmpl-123", "object": "chat.completion", "created": 1711652795,
                 "model": "gpt-3.5-turbo-0125", "choices": [{"index": 0, "message": {"role": "assistant",
                 "content": "Hello."}, "logprobs": null, "finish_reason": "stop"}], "usage": {"prompt_tokens": 22,
                 "completion_tokens": 2, "total_tokens": 24}, "system_fingerprint": "fp_123"}}, "error": null}""");
        List<JsonNode> lines = read(output);
        assertThat(lines).extracting(line -> line.get("custom_id").asText()).containsExactly("request-1", "request-2");
        for (JsonNode line : lines) {
            assertSameShape(documented, line, "");
            assertThat(line.get("id").asText()).startsWith("batch_req_");
            assertThat(line.get("error").isNull()).isTrue();
            JsonNode body = line.get("response").get("body");
            assertThat(body.get("model").asText()).isEqualTo("gpt-3.5-turbo-0125");
            assertThat(body.get("usage").get("completion_tokens").asInt()).isBetween(1, 16);
            assertThat(body.get("choices").get(0).get("message").get("content").asText()).isNotEmpty();
        }
    }

    /** Every field of {@code documented} is in {@code actual} with the same JSON type (null may be either). */
    private static void assertSameShape(JsonNode documented, JsonNode actual, String path) {
        for (Iterator<String> names = documented.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            JsonNode expected = documented.get(name);
            assertThat(actual.has(name)).as(path + "." + name).isTrue();
            JsonNode value = actual.get(name);
            if (!expected.isNull() && !(name.equals("system_fingerprint") && value.isNull())) {
                assertThat(value.getNodeType()).as(path + "." + name).isEqualTo(expected.getNodeType());
            }
            if (expected.isObject()) {
                assertSameShape(expected, value, path + "." + name);
            } else if (expected.isArray() && !expected.isEmpty()) {
                assertSameShape(expected.get(0), value.get(0), path + "." + name + "[0]");
            }
        }
    }

    @Test
    void badLinesBecomeErrorLinesAndTheJobGoesOn() throws IOException {
        String good = BatchFiles.chat("good", "Once upon a time", 8, "\"temperature\":0");
        Path input = write(dir.resolve("in.jsonl"),
                "{not json",
                "[1, 2]",
                "{\"method\":\"POST\",\"url\":\"/v1/completions\",\"body\":{\"prompt\":\"x\"}}",
                good,
                "",
                good.replace("\"good\"", "\"good\""),
                "{\"custom_id\":\"get\",\"method\":\"GET\",\"url\":\"/v1/completions\",\"body\":{\"prompt\":\"x\"}}",
                "{\"custom_id\":\"url\",\"method\":\"POST\",\"url\":\"/v1/responses\",\"body\":{}}",
                "{\"custom_id\":\"hot\",\"method\":\"POST\",\"url\":\"/v1/completions\",\"body\":{\"prompt\":\"x\",\"temperature\":5}}",
                "{\"custom_id\":\"type\",\"method\":\"POST\",\"url\":\"/v1/completions\",\"body\":{\"prompt\":\"x\",\"max_tokens\":\"8\"}}",
                "{\"custom_id\":\"nobody\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\"}",
                "{\"custom_id\":\"stream\",\"method\":\"POST\",\"url\":\"/v1/completions\",\"body\":{\"prompt\":\"x\",\"stream\":true}}",
                "{\"custom_id\":\"model\",\"method\":\"POST\",\"url\":\"/v1/completions\",\"body\":{\"prompt\":\"x\",\"model\":\"gpt-4o\"}}",
                "{\"custom_id\":\"long\",\"method\":\"POST\",\"url\":\"/v1/completions\",\"body\":{\"prompt\":\"x\",\"max_tokens\":1000}}",
                BatchFiles.completion("last", "One day", 8, "\"temperature\":0"));
        Path output = dir.resolve("out.jsonl");
        BatchFiles.Run done = run(settings(model, input, output, Shard.ALL, 0));
        assertThat(done.summary().complete()).isTrue();
        List<JsonNode> lines = read(output);
        assertThat(lines).as("one line per non-blank input line").hasSize(14);
        assertLineError(lines.get(0), null, "invalid_json_line", "line 1 is not valid JSON");
        assertLineError(lines.get(1), null, "invalid_json_line", "line 2 is not a JSON object");
        assertLineError(lines.get(2), null, "missing_custom_id", "line 3 has no custom_id");
        assertThat(lines.get(3).get("response").get("status_code").asInt()).isEqualTo(200);
        assertLineError(lines.get(4), "good", "duplicate_custom_id", "already used on line 4");
        assertLineError(lines.get(5), "get", "invalid_method", "\"POST\"");
        assertLineError(lines.get(6), "url", "invalid_url", "/v1/responses");
        assertHttpError(lines.get(7), "hot", 400, "invalid_value", "temperature");
        assertHttpError(lines.get(8), "type", 400, "invalid_type", "max_tokens");
        assertHttpError(lines.get(9), "nobody", 400, "invalid_value", null);
        assertHttpError(lines.get(10), "stream", 400, "unsupported_parameter", "stream");
        assertHttpError(lines.get(11), "model", 404, "model_not_found", "model");
        assertHttpError(lines.get(12), "long", 400, "context_length_exceeded", "prompt");
        assertThat(lines.get(13).get("custom_id").asText()).isEqualTo("last");
        assertThat(lines.get(13).get("response").get("body").get("object").asText()).isEqualTo("text_completion");
        assertThat(done.summary().failed()).isEqualTo(12);
    }

    private static void assertLineError(JsonNode line, String customId, String code, String message) {
        assertThat(line.get("custom_id").isNull() ? null : line.get("custom_id").asText()).isEqualTo(customId);
        assertThat(line.get("response").isNull()).as(line.toString()).isTrue();
        assertThat(line.get("error").get("code").asText()).isEqualTo(code);
        assertThat(line.get("error").get("message").asText()).contains(message);
    }

    /** An error the server would answer: status and OpenAI error body in the response, as OpenAI's error file has. */
    private static void assertHttpError(JsonNode line, String customId, int status, String code, String param) {
        assertThat(line.get("custom_id").asText()).isEqualTo(customId);
        assertThat(line.get("error").isNull()).isTrue();
        assertThat(line.get("response").get("status_code").asInt()).as(line.toString()).isEqualTo(status);
        JsonNode error = line.get("response").get("body").get("error");
        assertThat(error.get("code").asText()).as(line.toString()).isEqualTo(code);
        assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.get("message").asText()).isNotBlank();
        assertThat(error.get("param").isNull() ? null : error.get("param").asText()).isEqualTo(param);
    }

    @Test
    void embeddingLinesAnswerWithVectorsAsFloatsOrBase64() throws IOException {
        Path input = write(dir.resolve("in.jsonl"),
                "{\"custom_id\":\"e1\",\"method\":\"POST\",\"url\":\"/v1/embeddings\",\"body\":{\"input\":[\"Once upon a time\",\"One day\"]}}",
                "{\"custom_id\":\"e2\",\"method\":\"POST\",\"url\":\"/v1/embeddings\",\"body\":{\"input\":\"One day\",\"encoding_format\":\"base64\"}}",
                "{\"custom_id\":\"e3\",\"method\":\"POST\",\"url\":\"/v1/embeddings\",\"body\":{\"input\":\"x\",\"encoding_format\":\"hex\"}}");
        Path output = dir.resolve("out.jsonl");
        run(settings(model, input, output, Shard.ALL, 0));
        List<JsonNode> lines = read(output);
        JsonNode floats = lines.get(0).get("response").get("body");
        assertThat(floats.get("object").asText()).isEqualTo("list");
        assertThat(floats.get("data")).hasSize(2);
        int dims = floats.get("data").get(0).get("embedding").size();
        assertThat(dims).isEqualTo(64);
        double norm = 0;
        for (JsonNode v : floats.get("data").get(1).get("embedding")) {
            norm += v.asDouble() * v.asDouble();
        }
        assertThat(norm).as("unit length").isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-3));
        assertThat(floats.get("usage").get("prompt_tokens").asInt()).isEqualTo(floats.get("usage").get("total_tokens").asInt()).isPositive();
        JsonNode base64 = lines.get(1).get("response").get("body").get("data").get(0);
        byte[] bytes = java.util.Base64.getDecoder().decode(base64.get("embedding").asText());
        assertThat(bytes).hasSize(dims * Float.BYTES);
        float first = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).getFloat();
        assertThat((double) first).as("the same input, the same vector")
                .isCloseTo(floats.get("data").get(1).get("embedding").get(0).asDouble(), org.assertj.core.data.Offset.offset(1e-6));
        assertHttpError(lines.get(2), "e3", 400, "invalid_value", "encoding_format");
    }

    /**
     * A job stopped after a few results (as a kill would stop it), its output then torn mid-line and holding a line
     * the journal never recorded, resumes to the same output as an uninterrupted run: every custom_id once, in
     * input order, the same tokens.
     */
    @Test
    void aKilledJobResumesToTheOutputOfAnUninterruptedRun() throws IOException {
        Path input = write(dir.resolve("in.jsonl"), BatchFiles.mixedRequests());
        Path whole = dir.resolve("whole.jsonl");
        assertThat(run(settings(model, input, whole, Shard.ALL, 0)).summary().complete()).isTrue();

        Path output = dir.resolve("out.jsonl");
        Path journal = dir.resolve("out.jsonl.progress");
        BatchFiles.Run first = run(settings(model, input, output, Shard.ALL, 5));
        assertThat(first.summary().complete()).isFalse();
        assertThat(journal).exists();
        assertThat(Files.readAllLines(output)).hasSize(5);
        // what a kill -9 can leave: a result line written whose journal entry was not, then half a line
        String orphan = Files.readAllLines(whole).get(11);
        Files.writeString(output, orphan + "\n{\"id\":\"batch_req_3f", StandardOpenOption.APPEND);
        Files.writeString(journal, "1", StandardOpenOption.APPEND);

        BatchFiles.Run second = run(settings(model, input, output, Shard.ALL, 0));
        assertThat(second.err()).contains("cut a torn last line").contains("dropped 1 result line")
                .contains("resuming: 5 result(s)");
        assertThat(second.summary().complete()).isTrue();
        assertThat(second.summary().doneBefore()).isEqualTo(5);
        assertThat(second.summary().done()).isEqualTo(7);
        assertThat(journal).doesNotExist();
        assertThat(comparable(output)).isEqualTo(comparable(whole));

        // a finished output is left as it is
        BatchFiles.Run again = run(settings(model, input, output, Shard.ALL, 0));
        assertThat(again.err()).contains("already complete");
        assertThat(again.summary().done()).isZero();
        assertThat(comparable(output)).isEqualTo(comparable(whole));
    }

    @Test
    void anOutputOfAnotherJobIsNeverContinued() throws IOException {
        Path input = write(dir.resolve("in.jsonl"), BatchFiles.mixedRequests());
        Path output = dir.resolve("out.jsonl");
        run(settings(model, input, output, new Shard(0, 2), 1));
        assertThatThrownBy(() -> run(settings(model, input, output, new Shard(1, 2), 0)))
                .hasMessageContaining("belongs to another job");
        Path stranger = write(dir.resolve("stranger.jsonl"), "{\"hello\":1}");
        assertThatThrownBy(() -> run(settings(model, input, stranger, Shard.ALL, 0)))
                .hasMessageContaining("exists without its progress journal");
    }

    @Test
    void shardsMergeBackToTheUnshardedOutput() throws IOException {
        Path input = write(dir.resolve("in.jsonl"), BatchFiles.mixedRequests());
        Path whole = dir.resolve("whole.jsonl");
        run(settings(model, input, whole, Shard.ALL, 0));
        List<Path> shards = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Path shard = dir.resolve("shard-" + i + ".jsonl");
            assertThat(run(settings(model, input, shard, new Shard(i, 5), 0)).summary().total())
                    .isEqualTo(i < 2 ? 3 : 2);
            shards.add(shard);
        }
        Path merged = dir.resolve("merged.jsonl");
        assertThat(ShardMerge.merge(shards, merged, Optional.of(input))).isEqualTo(12);
        assertThat(comparable(merged)).isEqualTo(comparable(whole));
        Path again = dir.resolve("again.jsonl");
        assertThat(ShardMerge.merge(shards, again, Optional.empty())).isEqualTo(12);
        assertThat(Files.readAllLines(again)).isEqualTo(Files.readAllLines(merged));

        List<Path> misordered = List.of(shards.get(2), shards.get(0), shards.get(1), shards.get(3), shards.get(4));
        assertThatThrownBy(() -> ShardMerge.merge(misordered, again, Optional.empty())).hasMessageContaining("out of order");
        // four of five shards hold as many lines as a 4-way split of 10 requests: only the input tells
        assertThatThrownBy(() -> ShardMerge.merge(shards.subList(0, 4), again, Optional.of(input)))
                .hasMessageContaining("custom_id");
        List<Path> swapped = List.of(shards.get(1), shards.get(0), shards.get(2), shards.get(3), shards.get(4));
        assertThatThrownBy(() -> ShardMerge.merge(swapped, again, Optional.of(input))).hasMessageContaining("out of order");
        assertThat(Files.readAllLines(again)).as("a failed merge leaves the output alone").isEqualTo(Files.readAllLines(merged));
    }

    @Test
    void shardSpecsAreValidated() {
        assertThat(Shard.parse("2/4")).isEqualTo(new Shard(2, 4));
        assertThat(new Shard(2, 4).sizeOf(10)).isEqualTo(2);
        assertThat(new Shard(1, 4).sizeOf(10)).isEqualTo(3);
        assertThat(new Shard(3, 4).sizeOf(2)).isZero();
        assertThatThrownBy(() -> Shard.parse("4/4")).hasMessageContaining("0..3");
        assertThatThrownBy(() -> Shard.parse("-1/4")).hasMessageContaining("0..3");
        assertThatThrownBy(() -> Shard.parse("1/0")).hasMessageContaining(">= 1");
        assertThatThrownBy(() -> Shard.parse("a/b")).hasMessageContaining("whole numbers");
        assertThatThrownBy(() -> Shard.parse("3")).hasMessageContaining("I/N");
    }
}
