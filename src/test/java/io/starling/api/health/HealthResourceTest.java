package io.starling.api.health;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** With nothing configured the server serves the embedded model and reports ready. */
@QuarkusTest
class HealthResourceTest {

    @Test
    void readyOnceTheEmbeddedModelIsMapped() {
        given().get("/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'model' }.data.'stories260K-Q8_0@1'", equalTo("ready"))
                .body("checks.find { it.name == 'model' }.data.'stories260K-Q8_0@1 architecture'", equalTo("llama"))
                .body("checks.find { it.name == 'engine' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'engine' }.data.queue_depth", equalTo(0));
    }

    @Test
    void liveAtTheRootAndUnderQuarkusPaths() {
        given().get("/health").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void prometheusMetricsAtTheRoot() {
        given().get("/metrics").then().statusCode(200).body(containsString("jvm_memory_used_bytes"));
    }
}
