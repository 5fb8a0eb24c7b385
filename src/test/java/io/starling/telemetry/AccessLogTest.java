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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
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

    private final List<ExtLogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            ExtLogRecord ext = (ExtLogRecord) record;
            ext.copyMdc();
            records.add(ext);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void listen() {
        Logger.getLogger(AccessLog.CATEGORY).addHandler(capture);
    }

    @AfterEach
    void stop() {
        Logger.getLogger(AccessLog.CATEGORY).removeHandler(capture);
    }

    @Test
    void aChatCompletionIsOneRecordWithUsageAndTimingsButNoPromptOrKey() throws Exception {
        given().header("Authorization", "Bearer " + KEY).header("X-Request-Id", "chat-1").contentType(ContentType.JSON)
                .body("{\"messages\":[{\"role\":\"user\",\"content\":\"" + PROMPT + "\"}],\"max_tokens\":4}")
                .post("/v1/chat/completions").then().statusCode(200).header("X-Request-Id", "chat-1");
        ExtLogRecord record = awaitRecord("chat-1");
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
        Map<String, String> mdc = awaitRecord("gen-1").getMdcCopy();
        assertThat(mdc).containsEntry("endpoint", "/v1/generate").containsEntry("completion_tokens", "3");
        // sessions are refused until they exist, but the id is in the log for whoever asks why
        given().header("Authorization", "Bearer " + KEY).header("X-Request-Id", "gen-2").contentType(ContentType.JSON)
                .body("{\"prompt\":\"x\",\"session_id\":\"s-42\"}").post("/v1/generate").then().statusCode(400);
        assertThat(awaitRecord("gen-2").getMdcCopy()).containsEntry("session_id", "s-42").containsEntry("status", "400");
    }

    @Test
    void refusedRequestsAreLoggedWithoutATenantAndAForgedIdIsReplaced() {
        given().header("Authorization", "Bearer wrong").header("X-Request-Id", "bad id\nforged=1")
                .get("/v1/models").then().statusCode(401);
        ExtLogRecord record = records.stream()
                .filter(r -> "401".equals(r.getMdcCopy().get("status"))).findFirst()
                .orElseGet(() -> awaitStatus("401"));
        assertThat(record.getMdcCopy()).doesNotContainKey("tenant");
        assertThat(record.getMdcCopy().get("request_id")).matches("[0-9a-f-]{36}");
        assertThat(record.getFormattedMessage()).doesNotContain("forged").doesNotContain("wrong");
    }

    private ExtLogRecord awaitRecord(String requestId) {
        return await(r -> requestId.equals(r.getMdcCopy().get("request_id")));
    }

    private ExtLogRecord awaitStatus(String status) {
        return await(r -> status.equals(r.getMdcCopy().get("status")));
    }

    /** The end handler runs when the last byte is written, which may be just after the client has read it. */
    private ExtLogRecord await(java.util.function.Predicate<ExtLogRecord> match) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            for (ExtLogRecord r : records) {
                if (match.test(r)) {
                    return r;
                }
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("no access-log record matched; got " + records.stream().map(r -> r.getMdcCopy()).toList());
    }
}
