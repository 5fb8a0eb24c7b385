package io.starling.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * 100 tokens a minute per key. "Once upon a time" is 5 prompt tokens, so a completion with max_tokens 40 reserves
 * 45: two fit, the third waits (429 + Retry-After). What a request does not use comes back when it ends. Each test
 * has its own key, so none depends on another's spending; the allowance refills at under 2 tokens a second, far
 * too slowly to change any outcome here.
 */
@QuarkusTest
@TestProfile(TokenRateLimitTest.HundredTokensPerMinute.class)
class TokenRateLimitTest {

    public static class HundredTokensPerMinute implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("starling.auth.api-keys", "sk-spend,sk-other,sk-refund,sk-large,sk-embed",
                    "starling.rate-limits.tokens-per-minute", "100");
        }
    }

    static ValidatableResponse complete(String key, int maxTokens, String extra) {
        return given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON)
                .body("{\"prompt\":\"Once upon a time\",\"temperature\":0,\"max_tokens\":" + maxTokens + extra + "}")
                .post("/v1/completions").then();
    }

    @Test
    void reservationsBeyondTheAllowanceWaitWithRetryAfter() {
        complete("sk-spend", 40, "").statusCode(200).body("usage.total_tokens", equalTo(45));
        complete("sk-spend", 40, "").statusCode(200);
        complete("sk-spend", 40, "").statusCode(429)
                .header("Retry-After", matchesPattern("[1-9][0-9]*"))
                .body("error.code", equalTo("rate_limit_exceeded"))
                .body("error.type", equalTo("rate_limit_error"));
        // another tenant has its own allowance
        complete("sk-other", 40, "").statusCode(200);
    }

    @Test
    void whatARequestDidNotUseComesBack() {
        // reserves 5 + 90 = 95 but the stop string ends it after a few tokens
        int used = complete("sk-refund", 90, ",\"stop\":\"e\"").statusCode(200)
                .body("choices[0].finish_reason", equalTo("stop"))
                .extract().path("usage.total_tokens");
        assertThat(used).isLessThan(15);
        // 100 - 95 + (95 - used) is left: over 85. Without the refund it would be 5 (plus a few seconds of refill)
        complete("sk-refund", 80, "").statusCode(200);
    }

    @Test
    void aRequestLargerThanTheWholeAllowanceIsRefusedWithoutRetryAfter() {
        complete("sk-large", 96, "").statusCode(429)
                .header("Retry-After", nullValue())
                .body("error.code", equalTo("rate_limit_exceeded"))
                .body("error.param", equalTo("max_tokens"))
                .body("error.message", org.hamcrest.Matchers.containsString("Reduce max_tokens"));
        // n multiplies what a request may generate
        complete("sk-large", 30, ",\"n\":4").statusCode(429).body("error.param", equalTo("max_tokens"));
        complete("sk-large", 30, ",\"n\":3").statusCode(200).body("usage.completion_tokens", equalTo(90));
    }

    @Test
    void embeddingInputsCountToo() {
        String input = "{\"input\":\"" + "Once upon a time ".repeat(30) + "\"}";
        given().header("Authorization", "Bearer sk-embed").contentType(ContentType.JSON).body(input)
                .post("/v1/embeddings").then().statusCode(429).body("error.param", equalTo("input"));
        given().header("Authorization", "Bearer sk-embed").contentType(ContentType.JSON)
                .body("{\"input\":\"Once upon a time\"}").post("/v1/embeddings").then().statusCode(200);
    }
}
