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
                .body("checks[0].name", equalTo("model"))
                .body("checks[0].data.id", equalTo("stories260K-Q8_0"))
                .body("checks[0].data.architecture", equalTo("llama"));
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
