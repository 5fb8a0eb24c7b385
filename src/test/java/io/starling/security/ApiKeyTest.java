package io.starling.security;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With keys configured, /v1/* needs a valid Bearer key; health and metrics stay open. */
@QuarkusTest
@TestProfile(ApiKeyTest.TwoKeys.class)
public class ApiKeyTest {

    public static class TwoKeys implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("starling.auth.api-keys", "sk-first,sk-second");
        }
    }

    @Test
    void aValidKeyPasses() {
        given().header("Authorization", "Bearer sk-second").contentType(ContentType.JSON)
                .body("{\"text\":\"Once upon a time\"}").post("/v1/tokenize").then().statusCode(200)
                .body("tokens", contains(1, 403, 407, 261, 378));
        given().header("Authorization", "Bearer sk-first").get("/v1/models").then().statusCode(200);
    }

    @Test
    void aMissingKeyIs401() {
        given().get("/v1/models").then().statusCode(401)
                .header("WWW-Authenticate", "Bearer")
                .body("error.code", equalTo("missing_api_key"));
    }

    @Test
    void aWrongKeyIs401() {
        given().header("Authorization", "Bearer sk-firs").get("/v1/models").then().statusCode(401)
                .body("error.code", equalTo("invalid_api_key"));
        given().header("Authorization", "Basic c2stZmlyc3Q=").get("/v1/models").then().statusCode(401);
    }

    @Test
    void refusedRequestsAreCountedByStatus() {
        given().get("/v1/models").then().statusCode(401);
        given().get("/metrics").then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("starling_requests_total{endpoint=\"/v1/models\",model=\"none\",status=\"401\",version=\"none\"}"));
    }

    @Test
    void healthAndMetricsStayOpen() {
        given().get("/health").then().statusCode(200);
        given().get("/ready").then().statusCode(200);
        given().get("/metrics").then().statusCode(200);
    }
}
