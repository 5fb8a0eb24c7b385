package io.starling.batch;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.response.ValidatableResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Everything a client can get wrong with files and batches is a 4xx with OpenAI's error body, never a 500: the
 * form, the purpose, the size, the batch's fields, unknown ids, a file that fails validation, cancelling an ended
 * batch, list parameters. And the batch meters move.
 */
@QuarkusTest
@QuarkusTestResource(FreshBatchDir.class)
class BatchApiErrorsTest {

    private static final String GOOD_LINE = BatchApiTest.line("a", "/v1/chat/completions",
            "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":2}");

    @Test
    void uploadsThatAreNoBatchFileAreRefused() {
        error(given().contentType(ContentType.JSON).body("{}").post("/v1/files"), 400, null);
        error(upload("in.jsonl", GOOD_LINE.getBytes(StandardCharsets.UTF_8), "fine-tune"), 400, "purpose");
        error(given().multiPart("file", "in.jsonl", GOOD_LINE.getBytes(StandardCharsets.UTF_8)).post("/v1/files"), 400, "purpose");
        error(given().multiPart("purpose", "batch").post("/v1/files"), 400, "file");
        // the test server takes files of up to 1 MiB (starling.batch.max-file-bytes)
        error(upload("big.jsonl", new byte[1_200_000], "batch"), 413, "file").body("error.code", equalTo("file_too_large"));
        // the general body limit (8 MiB) does not apply to uploads, but theirs does; a file just below it is taken
        byte[] almost = (GOOD_LINE + "\n" + " ".repeat(1_000_000)).getBytes(StandardCharsets.UTF_8);
        upload("almost.jsonl", almost, "batch").then().statusCode(200).body("bytes", equalTo(almost.length));
    }

    @Test
    void aFormCutOffBeforeItsClosingBoundaryIsRefusedNotLeftWaiting() {
        long start = System.nanoTime();
        error(given().contentType("multipart/form-data; boundary=XXX")
                .body(("--XXX\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.jsonl\"\r\n\r\n" + GOOD_LINE)
                        .getBytes(StandardCharsets.UTF_8))
                .post("/v1/files"), 400, "file");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
    }

    @Test
    void batchRequestsWithBadFieldsOrUnknownIdsAreRefused() {
        String file = upload("in.jsonl", GOOD_LINE.getBytes(StandardCharsets.UTF_8), "batch").then().statusCode(200)
                .body("object", equalTo("file")).body("purpose", equalTo("batch")).body("status", equalTo("processed"))
                .extract().path("id");
        error(createBatch("not json"), 400, null);
        error(createBatch("{\"endpoint\":\"/v1/chat/completions\",\"completion_window\":\"24h\"}"), 400, "input_file_id");
        error(createBatch(batch("file-nope", "/v1/chat/completions", "24h")), 404, "input_file_id");
        error(createBatch(batch(file, "/v1/images/generations", "24h")), 400, "endpoint");
        error(createBatch(batch(file, "/v1/chat/completions", "48h")), 400, "completion_window");
        error(createBatch("{\"input_file_id\":\"" + file + "\",\"endpoint\":\"/v1/chat/completions\","
                + "\"completion_window\":\"24h\",\"metadata\":{\"k\":{\"nested\":1}}}"), 400, "metadata.k");

        error(given().get("/v1/batches/batch_nope"), 404, null);
        error(given().post("/v1/batches/batch_nope/cancel"), 404, null);
        error(given().get("/v1/files/file-nope"), 404, "file_id");
        error(given().get("/v1/files/file-nope/content"), 404, "file_id");
        error(given().delete("/v1/files/file-nope"), 404, "file_id");
        error(given().get("/v1/batches?limit=0"), 400, "limit");
        // not a number, or past int: the parameter's fault, not an unknown route
        error(given().get("/v1/batches?limit=abc"), 400, "limit");
        error(given().get("/v1/files?limit=99999999999"), 400, "limit");
        error(given().get("/v1/files?order=sideways"), 400, "order");
    }

    @Test
    void aFileThatFailsValidationFailsTheBatchWithTheLinesAtFaultAndAnEndedBatchCannotBeCancelled() throws Exception {
        String bad = String.join("\n", GOOD_LINE, "{not json", GOOD_LINE) + "\n";
        String file = upload("bad.jsonl", bad.getBytes(StandardCharsets.UTF_8), "batch").then().extract().path("id");
        String id = createBatch(batch(file, "/v1/chat/completions", "24h")).then().statusCode(200)
                .body("status", equalTo("validating")).body("object", equalTo("batch")).extract().path("id");
        ValidatableResponse failed = awaitStatus(id, "failed");
        failed.body("failed_at", notNullValue()).body("output_file_id", equalTo(null))
                .body("errors.object", equalTo("list"))
                .body("errors.data.code", equalTo(List.of("invalid_json_line", "duplicate_custom_id")))
                .body("errors.data.line", equalTo(List.of(2, 3)));
        error(given().post("/v1/batches/" + id + "/cancel"), 409, null);

        String empty = upload("empty.jsonl", "\n\n".getBytes(StandardCharsets.UTF_8), "batch").then().extract().path("id");
        String emptyBatch = createBatch(batch(empty, "/v1/chat/completions", "24h")).then().extract().path("id");
        awaitStatus(emptyBatch, "failed").body("errors.data[0].code", equalTo("empty_file"));

        String good = upload("good.jsonl", (GOOD_LINE + "\n").getBytes(StandardCharsets.UTF_8), "batch").then().extract().path("id");
        String done = createBatch(batch(good, "/v1/chat/completions", "24h")).then().extract().path("id");
        awaitStatus(done, "completed").body("request_counts.completed", equalTo(1)).body("error_file_id", equalTo(null));
        error(given().post("/v1/batches/" + done + "/cancel"), 409, null);
        given().get("/v1/batches?limit=2").then().statusCode(200).body("object", equalTo("list"))
                .body("data.id", equalTo(List.of(done, emptyBatch))).body("has_more", equalTo(true))
                .body("last_id", equalTo(emptyBatch));
        given().get("/v1/batches?limit=2&after=" + emptyBatch).then().body("data[0].id", equalTo(id));

        String metrics = given().get("/metrics").asString();
        assertThat(metrics).contains("starling_batches{status=\"failed\"}").contains("starling_batches{status=\"completed\"}")
                .contains("starling_batch_requests_total{result=\"completed\"}")
                .contains("starling_batch_tokens_total{type=\"generated\"}");
    }

    private static ValidatableResponse awaitStatus(String id, String status) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            Response response = given().get("/v1/batches/" + id);
            if (status.equals(response.path("status"))) {
                return response.then().statusCode(200);
            }
            assertThat(System.nanoTime()).as("batch %s is still %s", id, response.path("status")).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static Response upload(String name, byte[] bytes, String purpose) {
        return given().multiPart("file", name, bytes).multiPart("purpose", purpose).post("/v1/files");
    }

    private static Response createBatch(String body) {
        return given().contentType(ContentType.JSON).body(body).post("/v1/batches");
    }

    private static String batch(String file, String endpoint, String window) {
        return "{\"input_file_id\":\"" + file + "\",\"endpoint\":\"" + endpoint + "\",\"completion_window\":\"" + window + "\"}";
    }

    private static ValidatableResponse error(Response response, int status, String param) {
        return response.then().statusCode(status).contentType(ContentType.JSON)
                .body("error.message", notNullValue()).body("error.type", notNullValue())
                .body("error.param", equalTo(param));
    }
}
