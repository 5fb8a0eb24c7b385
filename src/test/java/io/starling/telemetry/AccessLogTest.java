package io.starling.telemetry;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.logging.json.runtime.JsonFormatter;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.util.Map;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Each API request writes one access-log record with its id, tenant (the key's id), model, endpoint, status, token
 * counts and timings, and never the prompt or the key; formatted as JSON the fields are there as values.
 */
@QuarkusTest
@TestProfile(AccessLogTest.WithKey.class)
class AccessLogTest {

    static final String KEY = "sk-access-log-secret";
    static final String PROMPT = "Purple elephants whisper secrets";

    public static class WithKey implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("starling.auth.api-keys", KEY);
        }
    }

    private AccessLogRecords records;

    @BeforeEach
    void listen() {
        records = AccessLogRecords.listen();
    }

    @AfterEach
    void stop() {
        records.close();
    }

    @Test
    void aChatCompletionIsOneRecordWithUsageAndTimingsButNoPromptOrKey() throws Exception {
        given().header("Authorization", "Bearer " + KEY).header("X-Request-Id", "chat-1").contentType(ContentType.JSON)
                .body("{\"messages\":[{\"role\":\"user\",\"content\":\"" + PROMPT + "\"}],\"max_tokens\":4}")
                .post("/v1/chat/completions").then().statusCode(200).header("X-Request-Id", "chat-1");
        ExtLogRecord record = records.await("chat-1");
        Map<String, String> mdc = record.getMdcCopy();
        assertThat(mdc).containsEntry("endpoint", "/v1/chat/completions").containsEntry("method", "POST")
                .containsEntry("status", "200").containsEntry("model", "stories260K-Q8_0")
                .containsEntry("completion_tokens", "4")
                .containsKeys("prompt_tokens", "queue_ms", "prefill_ms", "decode_ms", "duration_ms")
                .doesNotContainKey("session_id");
        assertThat(mdc.get("tenant")).matches("key-[0-9a-f]{12}");
        assertThat(Double.parseDouble(mdc.get("prefill_ms"))).isPositive();

        String json = new JsonFormatter().format(record);
        assertThat(json).doesNotContain("Purple").doesNotContain("elephant").doesNotContain(KEY);
        JsonNode line = new ObjectMapper().readTree(json);
        assertThat(line.get("loggerName").asText()).isEqualTo("io.starling.access");
        assertThat(line.at("/mdc/request_id").asText()).isEqualTo("chat-1");
        assertThat(line.at("/mdc/tenant").asText()).isEqualTo(mdc.get("tenant"));
        assertThat(line.at("/mdc/completion_tokens").asText()).isEqualTo("4");
    }

    @Test
    void aStreamIsLoggedWhenItEndsWithItsSessionId() {
        String body = given().header("Authorization", "Bearer " + KEY).header("X-Request-Id", "gen-1")
                .contentType(ContentType.JSON).body("{\"prompt\":\"" + PROMPT + "\",\"max_tokens\":3}")
                .post("/v1/generate").then().statusCode(200).extract().asString();
        assertThat(body).contains("finish_reason");
        Map<String, String> mdc = records.fields("gen-1");
        assertThat(mdc).containsEntry("endpoint", "/v1/generate").containsEntry("completion_tokens", "3");
        // a session's turn carries its id, and so does a refused one, for whoever asks why
        String session = given().header("Authorization", "Bearer " + KEY).contentType(ContentType.JSON).body("{}")
                .post("/v1/session").then().statusCode(200).extract().path("session_id");
        given().header("Authorization", "Bearer " + KEY).header("X-Request-Id", "gen-2").contentType(ContentType.JSON)
                .body("{\"prompt\":\"x\",\"max_tokens\":1,\"session_id\":\"" + session + "\"}").post("/v1/generate")
                .then().statusCode(200);
        assertThat(records.fields("gen-2")).containsEntry("session_id", session).containsEntry("status", "200");
        given().header("Authorization", "Bearer " + KEY).header("X-Request-Id", "gen-3").contentType(ContentType.JSON)
                .body("{\"prompt\":\"x\",\"session_id\":\"s-42\"}").post("/v1/generate").then().statusCode(404);
        assertThat(records.fields("gen-3")).containsEntry("session_id", "s-42").containsEntry("status", "404");
    }

    @Test
    void refusedRequestsAreLoggedWithoutATenantAndAForgedIdIsReplaced() {
        given().header("Authorization", "Bearer wrong").header("X-Request-Id", "bad id\nforged=1")
                .get("/v1/models").then().statusCode(401);
        ExtLogRecord record = records.await(r -> "401".equals(r.getMdcCopy().get("status")));
        assertThat(record.getMdcCopy()).doesNotContainKey("tenant");
        assertThat(record.getMdcCopy().get("request_id")).matches("[0-9a-f-]{36}");
        assertThat(record.getFormattedMessage()).doesNotContain("forged").doesNotContain("wrong");
    }
}
