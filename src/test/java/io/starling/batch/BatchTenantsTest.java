package io.starling.batch;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import io.starling.security.ApiKeyTest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** With API keys, a file and a batch belong to the key that made them: to another key they do not exist (404). */
@QuarkusTest
@TestProfile(ApiKeyTest.TwoKeys.class)
@QuarkusTestResource(FreshBatchDir.class)
class BatchTenantsTest {

    @Test
    void anotherKeysFilesAndBatchesAreNotFound() {
        String line = BatchApiTest.line("a", "/v1/embeddings", "{\"input\":\"x\"}");
        String file = as("sk-first").multiPart("file", "in.jsonl", line.getBytes(StandardCharsets.UTF_8))
                .multiPart("purpose", "batch").post("/v1/files").then().statusCode(200).extract().path("id");
        String batch = as("sk-first").contentType(ContentType.JSON)
                .body("{\"input_file_id\":\"" + file + "\",\"endpoint\":\"/v1/embeddings\",\"completion_window\":\"24h\"}")
                .post("/v1/batches").then().statusCode(200).extract().path("id");

        as("sk-second").get("/v1/files/" + file).then().statusCode(404).body("error.code", equalTo("not_found"));
        as("sk-second").get("/v1/files/" + file + "/content").then().statusCode(404);
        as("sk-second").delete("/v1/files/" + file).then().statusCode(404);
        as("sk-second").get("/v1/files").then().statusCode(200).body("data", empty());
        as("sk-second").get("/v1/batches/" + batch).then().statusCode(404);
        as("sk-second").post("/v1/batches/" + batch + "/cancel").then().statusCode(404);
        as("sk-second").get("/v1/batches").then().statusCode(200).body("data", empty());
        as("sk-second").contentType(ContentType.JSON)
                .body("{\"input_file_id\":\"" + file + "\",\"endpoint\":\"/v1/embeddings\",\"completion_window\":\"24h\"}")
                .post("/v1/batches").then().statusCode(404).body("error.param", equalTo("input_file_id"));
        given().get("/v1/batches/" + batch).then().statusCode(401);

        as("sk-first").get("/v1/batches/" + batch).then().statusCode(200).body("id", equalTo(batch));
        as("sk-first").get("/v1/files").then().statusCode(200).body("data.id", hasItem(file));
    }

    private static RequestSpecification as(String key) {
        return given().header("Authorization", "Bearer " + key);
    }
}
