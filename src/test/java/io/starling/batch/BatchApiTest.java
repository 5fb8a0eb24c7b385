package io.starling.batch;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.HttpResponse;
import com.openai.errors.NotFoundException;
import com.openai.models.batches.Batch;
import com.openai.models.batches.BatchCreateParams;
import com.openai.models.files.FileCreateParams;
import com.openai.models.files.FileObject;
import com.openai.models.files.FilePurpose;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP batch flow with OpenAI's own Java SDK, unmodified, against the server with the embedded model: upload a
 * file, create a batch, poll it, download the output and error files. Every answered line's body is what the
 * interactive endpoint answers for the same greedy request; refused lines land in the error file.
 */
@QuarkusTest
@QuarkusTestResource(FreshBatchDir.class)
class BatchApiTest {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String[] BODIES = {
            "{\"messages\":[{\"role\":\"user\",\"content\":\"Tell me a story\"}],\"max_tokens\":16,\"temperature\":0}",
            "{\"model\":\"stories260K-Q8_0\",\"messages\":[{\"role\":\"user\",\"content\":\"Lily\"}],\"max_tokens\":12,\"temperature\":0,\"logprobs\":true,\"top_logprobs\":2}",
    };

    @TestHTTPResource("/v1")
    URL baseUrl;

    @TempDir
    Path dir;

    private OpenAIClient client() {
        return OpenAIOkHttpClient.builder().baseUrl(baseUrl.toString()).apiKey("sk-unused").maxRetries(0).build();
    }

    @Test
    void theOfficialSdkRunsABatchWhoseAnswersEqualTheInteractiveEndpointsAndWhoseRefusalsAreErrorLines() throws Exception {
        Path input = dir.resolve("input.jsonl");
        Files.writeString(input, String.join("\n",
                line("a", "/v1/chat/completions", BODIES[0]),
                line("b", "/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"top_p\":2}"),
                line("c", "/v1/chat/completions", BODIES[1]),
                line("d", "/v1/embeddings", "{\"input\":\"x\"}")) + "\n");
        OpenAIClient client = client();
        FileObject file = client.files().create(FileCreateParams.builder().file(input).purpose(FilePurpose.BATCH).build());
        assertThat(file.id()).startsWith("file-");
        assertThat(file.bytes()).isEqualTo(Files.size(input));
        assertThat(file.filename()).isEqualTo("input.jsonl");
        assertThat(client.files().retrieve(file.id()).id()).isEqualTo(file.id());

        Batch created = client.batches().create(BatchCreateParams.builder().inputFileId(file.id())
                .endpoint(BatchCreateParams.Endpoint.V1_CHAT_COMPLETIONS)
                .completionWindow(BatchCreateParams.CompletionWindow._24H)
                .metadata(BatchCreateParams.Metadata.builder().putAdditionalProperty("job", com.openai.core.JsonValue.from("nightly")).build())
                .build());
        assertThat(created.id()).startsWith("batch_");
        assertThat(created.status()).isIn(Batch.Status.VALIDATING, Batch.Status.IN_PROGRESS, Batch.Status.FINALIZING,
                Batch.Status.COMPLETED);
        Batch done = await(client, created.id(), Batch.Status.COMPLETED);
        assertThat(done.requestCounts().orElseThrow().total()).isEqualTo(4);
        assertThat(done.requestCounts().orElseThrow().completed()).isEqualTo(2);
        assertThat(done.requestCounts().orElseThrow().failed()).isEqualTo(2);
        assertThat(done.completedAt()).isPresent();
        assertThat(done.inProgressAt()).isPresent();
        assertThat(done.finalizingAt()).isPresent();
        assertThat(done.metadata().orElseThrow()._additionalProperties().get("job").asString()).hasValue("nightly");

        List<JsonNode> output = download(client, done.outputFileId().orElseThrow());
        assertThat(output).extracting(l -> l.get("custom_id").asText()).containsExactly("a", "c");
        for (int i = 0; i < output.size(); i++) {
            JsonNode response = output.get(i).get("response");
            assertThat(response.get("status_code").asInt()).isEqualTo(200);
            String interactive = given().contentType(ContentType.JSON).body(BODIES[i]).post("/v1/chat/completions").asString();
            assertThat(withoutIds(response.get("body"))).isEqualTo(withoutIds(BatchFiles.JSON.readTree(interactive)));
        }
        List<JsonNode> errors = download(client, done.errorFileId().orElseThrow());
        assertThat(errors).extracting(l -> l.get("custom_id").asText()).containsExactly("b", "d");
        assertThat(errors.get(0).at("/response/status_code").asInt()).isEqualTo(400);
        assertThat(errors.get(0).at("/response/body/error/param").asText()).isEqualTo("top_p");
        assertThat(errors.get(1).at("/error/code").asText()).isEqualTo("mismatched_url");

        assertThat(client.batches().list().data()).extracting(Batch::id).contains(created.id());
        FileObject output1 = client.files().retrieve(done.outputFileId().orElseThrow());
        assertThat(output1.purpose()).isEqualTo(FileObject.Purpose.BATCH_OUTPUT);
        assertThat(client.files().delete(file.id()).deleted()).isTrue();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> client.files().retrieve(file.id()))
                .isInstanceOf(NotFoundException.class);
    }

    @Test
    void aCancelledBatchStopsAndKeepsWhatItHasDone() throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            lines.add(line("r" + i, "/v1/completions", "{\"prompt\":\"Once upon a time\",\"max_tokens\":200,\"temperature\":0}"));
        }
        Path input = dir.resolve("long.jsonl");
        Files.writeString(input, String.join("\n", lines) + "\n");
        OpenAIClient client = client();
        FileObject file = client.files().create(FileCreateParams.builder().file(input).purpose(FilePurpose.BATCH).build());
        Batch created = client.batches().create(BatchCreateParams.builder().inputFileId(file.id())
                .endpoint(BatchCreateParams.Endpoint.V1_COMPLETIONS)
                .completionWindow(BatchCreateParams.CompletionWindow._24H).build());
        Batch cancelling = client.batches().cancel(created.id());
        assertThat(cancelling.status()).isIn(Batch.Status.CANCELLING, Batch.Status.CANCELLED);
        assertThat(cancelling.cancellingAt()).isPresent();
        Batch cancelled = await(client, created.id(), Batch.Status.CANCELLED);
        assertThat(cancelled.cancelledAt()).isPresent();
        long completed = cancelled.requestCounts().orElseThrow().completed();
        assertThat(completed).isLessThan(40);
        if (completed > 0) {
            assertThat(download(client, cancelled.outputFileId().orElseThrow())).hasSize((int) completed);
        }
        // cancelling a cancelled batch again is no error
        given().post("/v1/batches/" + created.id() + "/cancel").then().statusCode(200);
    }

    private static Batch await(OpenAIClient client, String id, Batch.Status status) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            Batch batch = client.batches().retrieve(id);
            if (batch.status().equals(status)) {
                return batch;
            }
            assertThat(batch.status()).as("batch %s", id).isNotIn(Batch.Status.FAILED, Batch.Status.EXPIRED);
            if (System.nanoTime() > deadline) {
                throw new AssertionError("batch " + id + " is still " + batch.status() + " after " + WAIT);
            }
            Thread.sleep(50);
        }
    }

    private static List<JsonNode> download(OpenAIClient client, String fileId) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        try (HttpResponse response = client.files().content(fileId); InputStream body = response.body()) {
            for (String line : new String(body.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank()) {
                    lines.add(BatchFiles.JSON.readTree(line));
                }
            }
        }
        return lines;
    }

    static String line(String id, String url, String body) {
        return "{\"custom_id\":\"" + id + "\",\"method\":\"POST\",\"url\":\"" + url + "\",\"body\":" + body + "}";
    }

    private static JsonNode withoutIds(JsonNode body) {
        JsonNode copy = body.deepCopy();
        if (copy instanceof ObjectNode object) {
            object.remove(List.of("id", "created"));
        }
        return copy;
    }
}
