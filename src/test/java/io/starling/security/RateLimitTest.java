package io.starling.security;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Three requests a minute per key: the fourth is 429 with Retry-After, another key is unaffected. */
@QuarkusTest
@TestProfile(RateLimitTest.ThreePerMinute.class)
class RateLimitTest {

    public static class ThreePerMinute implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("starling.auth.api-keys", "sk-a,sk-b", "starling.rate-limits.requests-per-minute", "3");
        }
    }

    @Test
    void theFourthRequestOfAMinuteIsRefused() {
        for (int i = 0; i < 3; i++) {
            given().header("Authorization", "Bearer sk-a").get("/v1/models").then().statusCode(200);
        }
        given().header("Authorization", "Bearer sk-a").get("/v1/models").then().statusCode(429)
                .header("Retry-After", matchesPattern("[1-9][0-9]*"))
                .body("error.code", equalTo("rate_limit_exceeded"));
        given().header("Authorization", "Bearer sk-b").get("/v1/models").then().statusCode(200);
        given().get("/health").then().statusCode(200);
    }
}
