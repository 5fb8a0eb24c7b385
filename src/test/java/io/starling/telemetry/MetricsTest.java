package io.starling.telemetry;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The DESIGN.md §6 names that exist without the KV arena and the scheduler appear on /metrics with the right
 * Prometheus types once requests have run: requests by endpoint and status, request duration, generated tokens,
 * tokens per second, queue depth, and vLLM's time-to-first-token and inter-token-latency histograms.
 */
@QuarkusTest
class MetricsTest {

    @Test
    void requestTokenAndQueueMetricsArePublished() {
        given().contentType(ContentType.JSON).body("{\"prompt\":\"Once upon a time\",\"max_tokens\":4}")
                .post("/v1/completions").then().statusCode(200);
        given().get("/v1/models/not-a-model").then().statusCode(404);
        given().contentType(ContentType.JSON).body("{\"prompt\":").post("/v1/completions").then().statusCode(400);
        String metrics = scrape();
        assertThat(metrics)
                .contains("starling_requests_total{endpoint=\"/v1/completions\",status=\"200\"}")
                .contains("starling_requests_total{endpoint=\"/v1/completions\",status=\"400\"}")
                .contains("starling_requests_total{endpoint=\"/v1/models/{id}\",status=\"404\"}")
                .contains("starling_request_duration_seconds_bucket{endpoint=\"/v1/completions\"")
                .contains("starling_queue_depth{model=\"stories260K-Q8_0\"}")
                .contains("# TYPE starling_requests counter")
                .contains("# TYPE starling_request_duration_seconds histogram")
                .contains("# TYPE starling_tokens_generated counter")
                .contains("# TYPE starling_time_to_first_token_seconds histogram")
                .contains("# TYPE starling_inter_token_latency_seconds histogram")
                .contains("# TYPE starling_tokens_per_second summary")
                .contains("# TYPE starling_queue_depth gauge")
                .contains("starling_batch_size_bucket");
    }

    @Test
    void everyGeneratedTokenIsCountedAndTimed() {
        double tokens = value(scrape(), "starling_tokens_generated_total");
        double firsts = value(scrape(), "starling_time_to_first_token_seconds_count");
        double gaps = value(scrape(), "starling_inter_token_latency_seconds_count");
        String stream = "{\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}],\"temperature\":0,\"max_tokens\":5,\"n\":2,\"stream\":true}";
        given().contentType(ContentType.JSON).body(stream).post("/v1/chat/completions").then().statusCode(200);
        String after = scrape();
        assertThat(value(after, "starling_tokens_generated_total") - tokens).isEqualTo(10);
        assertThat(value(after, "starling_time_to_first_token_seconds_count") - firsts).as("one first token per sequence")
                .isEqualTo(2);
        assertThat(value(after, "starling_inter_token_latency_seconds_count") - gaps).isEqualTo(8);
        assertThat(after).contains("starling_requests_total{endpoint=\"/v1/chat/completions\",status=\"200\"}");
    }

    @Test
    void unknownPathsShareOneLabel() {
        assertThat(RequestTelemetry.endpoint("/v1/completions/")).isEqualTo("/v1/completions");
        assertThat(RequestTelemetry.endpoint("/v1/models/abc")).isEqualTo("/v1/models/{id}");
        assertThat(RequestTelemetry.endpoint("/v1/whatever/123")).isEqualTo("other");
    }

    static String scrape() {
        return given().get("/metrics").then().statusCode(200).extract().asString();
    }

    /** The value of an unlabelled sample (0 before the first observation). */
    static double value(String metrics, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(?:\\{[^}]*})? (\\S+)$").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
