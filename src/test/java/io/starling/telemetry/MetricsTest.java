package io.starling.telemetry;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

/** The DESIGN.md §6 names appear on /metrics once requests have run. */
@QuarkusTest
class MetricsTest {

    @Test
    void requestTokenAndQueueMetricsArePublished() {
        given().contentType(ContentType.JSON).body("{\"prompt\":\"Once upon a time\",\"max_tokens\":4}")
                .post("/v1/completions").then().statusCode(200);
        given().get("/v1/models/not-a-model").then().statusCode(404);
        String metrics = given().get("/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics)
                .contains("starling_requests_total{endpoint=\"/v1/completions\",status=\"200\"}")
                .contains("starling_requests_total{endpoint=\"/v1/models/{id}\",status=\"404\"}")
                .contains("starling_request_duration_seconds_bucket{endpoint=\"/v1/completions\"")
                .contains("starling_tokens_generated_total")
                .contains("starling_time_to_first_token_seconds_bucket")
                .contains("starling_inter_token_latency_seconds_bucket")
                .contains("starling_tokens_per_second_count")
                .contains("starling_batch_size_bucket")
                .contains("starling_queue_depth{model=\"stories260K-Q8_0\"}");
    }

    @Test
    void unknownPathsShareOneLabel() {
        assertThat(RequestMetrics.endpoint("/v1/completions/")).isEqualTo("/v1/completions");
        assertThat(RequestMetrics.endpoint("/v1/models/abc")).isEqualTo("/v1/models/{id}");
        assertThat(RequestMetrics.endpoint("/v1/whatever/123")).isEqualTo("other");
    }
}
