package io.starling.batch;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A batch line's response is what the server answers for the same body: the same status and the same JSON, ids and
 * timestamps aside, for generations, embeddings and refusals alike. The server serves the embedded model; the batch
 * job runs the same file, each request alone with the server's scheduler settings, so both compute every token alike.
 */
@QuarkusTest
class BatchMatchesServerTest {

    private static final String[][] REQUESTS = {
            {"/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"Tell me a story\"}],\"max_tokens\":24,\"temperature\":0,\"logprobs\":true,\"top_logprobs\":2}"},
            {"/v1/chat/completions", "{\"model\":\"stories260K-Q8_0\",\"messages\":[{\"role\":\"user\",\"content\":\"Lily\"}],\"max_tokens\":16,\"temperature\":0.8,\"seed\":5,\"n\":2,\"stop\":[\".\"]}"},
            // one prompt: two would run as two jobs whose steps interleave by timing, which moves logprobs' last bits
            {"/v1/completions", "{\"prompt\":\"Once upon a time\",\"max_tokens\":12,\"temperature\":0,\"echo\":true,\"logprobs\":1}"},
            {"/v1/embeddings", "{\"input\":[\"Once upon a time\",\"Lily\"]}"},
            {"/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"top_p\":2}"},
            {"/v1/completions", "{\"prompt\":\"x\",\"n\":\"2\"}"},
            {"/v1/completions", "{\"prompt\":\"x\",\"suffix\":\"y\"}"},
            {"/v1/embeddings", "{\"input\":[]}"},
            {"/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"model\":\"gpt-4o\"}"},
    };

    @TempDir
    Path dir;

    @Test
    void everyLineIsAnsweredAsTheServerAnswersItsBody() throws IOException {
        List<String> lines = new ArrayList<>();
        List<Response> server = new ArrayList<>();
        for (int i = 0; i < REQUESTS.length; i++) {
            lines.add("{\"custom_id\":\"r" + i + "\",\"method\":\"POST\",\"url\":\"" + REQUESTS[i][0] + "\",\"body\":"
                    + REQUESTS[i][1] + "}");
            server.add(given().contentType(ContentType.JSON).body(REQUESTS[i][1]).post(REQUESTS[i][0]));
        }
        Path model = BatchFiles.model(dir);
        for (int i = 0; i < REQUESTS.length; i++) {
            // each line alone, as the server ran it alone: the same steps, so the same tokens bit for bit
            Path input = BatchFiles.write(dir.resolve("in-" + i + ".jsonl"), lines.get(i));
            Path output = dir.resolve("out-" + i + ".jsonl");
            BatchJob.Settings alone = new BatchJob.Settings(model, null, input, output, Shard.ALL, 1, 16, 512, 64,
                    60_000, 0, 60_000, false);
            assertThat(BatchFiles.run(alone).summary().complete()).isTrue();
            JsonNode response = BatchFiles.read(output).getFirst().get("response");
            assertThat(response.get("status_code").asInt()).as(REQUESTS[i][1]).isEqualTo(server.get(i).statusCode());
            JsonNode expected = BatchFiles.JSON.readTree(server.get(i).asString());
            assertThat(withoutIds(response.get("body"))).as(REQUESTS[i][1]).isEqualTo(withoutIds(expected));
        }
        assertThat(server.getFirst().statusCode()).isEqualTo(200);
        assertThat(server.get(4).statusCode()).isEqualTo(400);
        assertThat(server.getLast().statusCode()).isEqualTo(404);
    }

    private static JsonNode withoutIds(JsonNode body) {
        JsonNode copy = body.deepCopy();
        if (copy instanceof ObjectNode object) {
            object.remove(List.of("id", "created"));
        }
        return copy;
    }
}
