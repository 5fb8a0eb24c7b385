package io.starling.telemetry;

import static io.restassured.RestAssured.given;
import static io.starling.telemetry.Prometheus.scrape;
import static io.starling.telemetry.Prometheus.value;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

/**
 * The DESIGN.md §6 names appear on /metrics with the right Prometheus types once requests have run: requests by
 * endpoint and status, request duration, generated tokens, tokens per second, queue depth, vLLM's
 * time-to-first-token and inter-token-latency histograms, the KV cache's memory and events, and open sessions.
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
                .contains("starling_requests_total{endpoint=\"/v1/completions\",model=\"stories260K-Q8_0\",status=\"200\",version=\"1\"}")
                .contains("starling_requests_total{endpoint=\"/v1/completions\",model=\"none\",status=\"400\",version=\"none\"}")
                .contains("starling_requests_total{endpoint=\"/v1/models/{id}\",model=\"none\",status=\"404\",version=\"none\"}")
                .contains("starling_request_duration_seconds_bucket{endpoint=\"/v1/completions\",model=\"stories260K-Q8_0\"")
                .contains("starling_queue_depth{model=\"stories260K-Q8_0\",version=\"1\"}")
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
        assertThat(after).contains("starling_requests_total{endpoint=\"/v1/chat/completions\",model=\"stories260K-Q8_0\",status=\"200\",version=\"1\"}");
    }

    @Test
    void eachGeneratedSequenceRecordsItsMeanTokenProbabilityWithoutShowingLogprobs() {
        String series = "starling_prediction_confidence_count{model=\"stories260K-Q8_0\",pipeline=\"none\"}";
        String sum = "starling_prediction_confidence_sum{model=\"stories260K-Q8_0\",pipeline=\"none\"}";
        double before = value(scrape(), series);
        double sumBefore = value(scrape(), sum);
        String chat = "{\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}],\"temperature\":0,\"max_tokens\":6,\"n\":2}";
        given().contentType(ContentType.JSON).body(chat).post("/v1/chat/completions").then().statusCode(200)
                .body("choices[0].logprobs", org.hamcrest.Matchers.nullValue())
                .body("choices[1].logprobs", org.hamcrest.Matchers.nullValue());
        String after = scrape();
        assertThat(value(after, series) - before).as("one confidence per sequence").isEqualTo(2);
        // greedy tokens of a trained model: probable, but rarely certain
        assertThat(value(after, sum) - sumBefore).isBetween(0.2, 2.0);
        assertThat(after).contains("starling_drift_score{model=\"stories260K-Q8_0\",pipeline=\"none\",signal=\"confidence\"}")
                .doesNotContain("pipeline=\"none\",signal=\"label\"");
    }

    @Test
    void unknownPathsShareOneLabel() {
        assertThat(RequestTelemetry.endpoint("/v1/completions/")).isEqualTo("/v1/completions");
        assertThat(RequestTelemetry.endpoint("/v1/models/abc")).isEqualTo("/v1/models/{id}");
        assertThat(RequestTelemetry.endpoint("/v1/whatever/123")).isEqualTo("other");
        assertThat(RequestTelemetry.endpoint("/v1/session")).isEqualTo("/v1/session");
        // a client that left before any answer is not counted as answered 200; an answer decided or begun keeps its own
        assertThat(RequestTelemetry.recordedStatus(200, false)).isEqualTo(499);
        assertThat(RequestTelemetry.recordedStatus(200, true)).isEqualTo(200);
        assertThat(RequestTelemetry.recordedStatus(400, false)).isEqualTo(400);
        assertThat(RequestTelemetry.endpoint("/v1/session/close")).isEqualTo("/v1/session/close");
        assertThat(RequestTelemetry.endpoint("/v1/files/file-abc/content")).isEqualTo("/v1/files/{id}/content");
        assertThat(RequestTelemetry.endpoint("/v1/batches/batch_abc")).isEqualTo("/v1/batches/{id}");
        assertThat(RequestTelemetry.endpoint("/v1/batches/batch_abc/cancel")).isEqualTo("/v1/batches/{id}/cancel");
        assertThat(RequestTelemetry.endpoint("/v1/batches/a/b")).isEqualTo("other");
    }

    @Test
    void kvCacheAndSessionMetricsFollowTheArena() {
        // a prompt of more than one page (16 positions): the second time its first page comes from the prefix cache
        String body = "{\"prompt\":\"Lily and Ben went to the park. They saw a big dog and a small cat.\",\"max_tokens\":2,\"stream\":false}";
        given().contentType(ContentType.JSON).body(body).post("/v1/generate").then().statusCode(200);
        double hits = value(scrape(), "starling_kv_cache_prefix_hit_pages_total");
        given().contentType(ContentType.JSON).body(body).post("/v1/generate").then().statusCode(200);
        String metrics = scrape();
        assertThat(value(metrics, "starling_kv_cache_prefix_hit_pages_total") - hits).isGreaterThanOrEqualTo(1);
        assertThat(metrics)
                .contains("# TYPE starling_kv_cache_bytes gauge")
                .contains("starling_kv_cache_bytes{model=\"stories260K-Q8_0\",state=\"resident\",version=\"1\"}")
                .contains("starling_kv_cache_bytes{model=\"stories260K-Q8_0\",state=\"spilled\",version=\"1\"} 0.0")
                .contains("# TYPE starling_kv_cache_evictions counter")
                .contains("# TYPE starling_kv_cache_spilled_pages counter")
                .contains("# TYPE starling_kv_cache_restored_pages counter")
                .contains("# TYPE starling_kv_cache_restore_failures counter")
                .contains("# TYPE starling_kv_cache_full counter")
                .contains("# TYPE starling_sessions_open gauge");
        assertThat(sample(metrics, "starling_kv_cache_bytes{model=\"stories260K-Q8_0\",state=\"allocated\",version=\"1\"}")).isPositive();
        assertThat(sample(metrics, "starling_kv_cache_bytes{model=\"stories260K-Q8_0\",state=\"allocated\",version=\"1\"}"))
                .as("within the default 256 MiB cap").isLessThanOrEqualTo(256 << 20);

        double open = value(metrics, "starling_sessions_open");
        String id = given().contentType(ContentType.JSON).body("{}").post("/v1/session").then().statusCode(200)
                .extract().path("session_id");
        assertThat(value(scrape(), "starling_sessions_open")).isEqualTo(open + 1);
        given().contentType(ContentType.JSON).body("{\"session_id\":\"" + id + "\"}").post("/v1/session/close").then()
                .statusCode(200);
        assertThat(value(scrape(), "starling_sessions_open")).isEqualTo(open);
    }

    /** The value of one exact sample line (name and labels). */
    private static double sample(String metrics, String sample) {
        return metrics.lines().filter(line -> line.startsWith(sample + " ")).mapToDouble(
                line -> Double.parseDouble(line.substring(sample.length() + 1))).findFirst()
                .orElseThrow(() -> new AssertionError("no sample " + sample));
    }
}
