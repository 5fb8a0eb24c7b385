package io.starling.api.error;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The 429 path of every engine endpoint, streaming or not: a queue of depth 0 refuses every request, so each
 * endpoint can be checked without filling a real queue first (FullQueueOverHttpTest does that once).
 */
@QuarkusTest
@TestProfile(QueueFullTest.NoQueue.class)
class QueueFullTest {

    public static class NoQueue implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("starling.scheduler.max-queue-depth", "0");
        }
    }

    @Test
    void aFullQueueIs429WithRetryAfterOnEveryEngineEndpoint() {
        for (String[] call : new String[][] {
                {"/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":1}"},
                {"/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":1,\"stream\":true}"},
                {"/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":1}"},
                {"/v1/generate", "{\"prompt\":\"x\",\"max_tokens\":1}"},
                {"/v1/embeddings", "{\"input\":\"x\"}"}}) {
            given().contentType(ContentType.JSON).body(call[1]).post(call[0]).then()
                    .statusCode(429)
                    .header("Retry-After", matchesPattern("[1-9][0-9]*"))
                    .body("error.type", equalTo("rate_limit_error"))
                    .body("error.code", equalTo("queue_full"));
        }
        // a session's turn refused at the door leaves the session free: the retry is refused for the queue, not as busy
        String session = given().contentType(ContentType.JSON).body("{}").post("/v1/session").then().statusCode(200)
                .extract().path("session_id");
        for (int attempt = 0; attempt < 2; attempt++) {
            given().contentType(ContentType.JSON).body("{\"session_id\":\"" + session + "\",\"prompt\":\"x\"}")
                    .post("/v1/generate").then().statusCode(429).body("error.code", equalTo("queue_full"));
        }
        // tokenizing never touches the engine, so it is not refused
        given().contentType(ContentType.JSON).body("{\"text\":\"x\"}").post("/v1/tokenize").then().statusCode(200);
    }
}
