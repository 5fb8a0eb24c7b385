package io.starling.api.pipeline;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.starling.batch.FreshBatchDir;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A pipeline as the endpoint of an HTTP batch: its lines answer what {@code POST /v1/pipelines/{name}} answers. */
@QuarkusTest
@TestProfile(PipelineProfile.class)
@QuarkusTestResource(FreshBatchDir.class)
class PipelineBatchTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aBatchOfPipelineLinesAnswersAsTheEndpointAndRefusesLinesOfAnotherPipeline() throws Exception {
        // an input no other test of this profile uses: they share the server's stage cache
        String body = "{\"input\":\"Lily lost her blue hat at school.\"}";
        String input = line("a", "/v1/pipelines/mood", body) + "\n" + line("b", "/v1/pipelines/story", body) + "\n";
        String fileId = given().multiPart("purpose", "batch")
                .multiPart("file", "pipeline.jsonl", input.getBytes(StandardCharsets.UTF_8), "application/jsonl")
                .post("/v1/files").then().statusCode(200).extract().path("id");
        String batchId = given().contentType(ContentType.JSON)
                .body("{\"input_file_id\":\"" + fileId + "\",\"endpoint\":\"/v1/pipelines/mood\",\"completion_window\":\"24h\"}")
                .post("/v1/batches").then().statusCode(200).extract().path("id");

        JsonNode batch = awaitEnd(batchId);
        assertThat(batch.get("status").asText()).isEqualTo("completed");
        assertThat(batch.at("/request_counts/completed").asInt()).isEqualTo(1);
        assertThat(batch.at("/request_counts/failed").asInt()).isEqualTo(1);

        JsonNode answered = lines(batch.get("output_file_id").asText()).getFirst();
        assertThat(answered.get("custom_id").asText()).isEqualTo("a");
        JsonNode interactive = JSON.readTree(given().contentType(ContentType.JSON).body(body)
                .post("/v1/pipelines/mood").then().statusCode(200).extract().asString());
        // the same prediction (the endpoint's answer comes from the stage cache the batch line filled: no usage)
        for (String field : List.of("/label", "/confidence", "/stages")) {
            assertThat(answered.at("/response/body/data/0" + field)).as(field).isEqualTo(interactive.at("/data/0" + field));
        }
        JsonNode refused = lines(batch.get("error_file_id").asText()).getFirst();
        assertThat(refused.get("custom_id").asText()).isEqualTo("b");
        assertThat(refused.at("/error/code").asText()).isEqualTo("mismatched_url");
    }

    @Test
    void anUnknownEndpointNamesThePipelineForm() {
        given().contentType(ContentType.JSON)
                .body("{\"input_file_id\":\"file-x\",\"endpoint\":\"/v1/pipeline\",\"completion_window\":\"24h\"}")
                .post("/v1/batches").then().statusCode(404);
    }

    private static JsonNode awaitEnd(String batchId) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (true) {
            JsonNode batch = JSON.readTree(given().get("/v1/batches/" + batchId).then().statusCode(200).extract().asString());
            String status = batch.get("status").asText();
            if (List.of("completed", "failed", "expired", "cancelled").contains(status)) {
                return batch;
            }
            assertThat(System.nanoTime()).as("batch still " + status).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private static List<JsonNode> lines(String fileId) throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : given().get("/v1/files/" + fileId + "/content").then().statusCode(200).extract().asString()
                .split("\n")) {
            if (!line.isBlank()) {
                lines.add(JSON.readTree(line));
            }
        }
        return lines;
    }

    private static String line(String id, String url, String body) {
        return "{\"custom_id\":\"" + id + "\",\"method\":\"POST\",\"url\":\"" + url + "\",\"body\":" + body + "}";
    }
}
