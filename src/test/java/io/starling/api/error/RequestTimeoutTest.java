package io.starling.api.error;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.starling.telemetry.AccessLogRecords;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.starling.api.openai.SseEvents;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With a request timeout shorter than any generation, requests end in 504 (or an in-band error once streaming). */
@QuarkusTest
@TestProfile(RequestTimeoutTest.OneMillisecond.class)
class RequestTimeoutTest {

    public static class OneMillisecond implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("starling.scheduler.request-timeout-ms", "1");
        }
    }

    @Test
    void aGenerationThatOutlivesTheTimeoutIs504() {
        given().contentType(ContentType.JSON).body("{\"prompt\":\"Once upon a time\",\"max_tokens\":400}")
                .post("/v1/completions").then().statusCode(504)
                .body("error.code", equalTo("request_timeout"))
                .body("error.type", equalTo("timeout_error"));
    }

    @Test
    void aStreamThatTimesOutEndsWithAnErrorEventAndTheAccessLogSaysSo() {
        AccessLogRecords log = AccessLogRecords.listen();
        String body = given().contentType(ContentType.JSON).header("X-Request-Id", "timeout-stream")
                .body("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":400,\"stream\":true}")
                .post("/v1/chat/completions").then().statusCode(200).extract().asString();
        List<String> events = SseEvents.data(body);
        assertThat(events.getLast()).contains("\"request_timeout\"");
        try (log) {
            // the 200 was sent long before the timeout; only the log line tells an operator how the stream ended
            assertThat(log.fields("timeout-stream")).containsEntry("status", "200")
                    .containsEntry("error", "RequestTimeoutException");
        }
        given().get("/ready").then().statusCode(200);
    }
}
