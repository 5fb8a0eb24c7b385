package io.starling.api.admin;

import static io.starling.api.admin.AdminClient.admin;
import static io.starling.api.admin.AdminClient.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Two versions of one model in one server: weighted split, pinning, sessions that stay, /v1/models. */
@QuarkusTest
@TestProfile(MultiModelProfile.class)
class MultiModelRoutingTest {

    private static final String HEADER = "X-Starling-Model-Version";

    @Test
    void eightyTwentySplitOverHttp() {
        Map<String, Integer> counts = new HashMap<>();
        int requests = 200;
        for (int i = 0; i < requests; i++) {
            String version = user().body("{\"model\":\"tiny\",\"prompt\":\"Once\",\"max_tokens\":1}")
                    .post("/v1/completions").then().statusCode(200).extract().header(HEADER);
            counts.merge(version, 1, Integer::sum);
        }
        assertThat(counts.keySet()).containsExactlyInAnyOrder("tiny@1", "tiny@2");
        // binomial(200, 0.8): mean 160, sd 5.7; 4.5 sd either side
        assertThat(counts.get("tiny@1")).isBetween(160 - 25, 160 + 25);
    }

    @Test
    void pinnedVersionAnswersWithItsFingerprint() {
        for (String version : new String[] {"1", "2"}) {
            user().body("{\"model\":\"tiny@" + version + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"max_tokens\":2}")
                    .post("/v1/chat/completions").then().statusCode(200)
                    .header(HEADER, "tiny@" + version)
                    .body("model", equalTo("tiny"))
                    .body("system_fingerprint", equalTo("tiny@" + version));
        }
        user().body("{\"model\":\"tiny@2\",\"prompt\":\"Once\",\"max_tokens\":1}").post("/v1/completions").then()
                .statusCode(200).body("system_fingerprint", equalTo("tiny@2"));
    }

    @Test
    void metricsCarryModelAndVersionLabels() {
        user().body("{\"model\":\"tiny@2\",\"prompt\":\"Once\",\"max_tokens\":3}").post("/v1/completions").then()
                .statusCode(200);
        String metrics = io.restassured.RestAssured.given().get("/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics)
                .contains("starling_queue_depth{model=\"tiny\",version=\"1\"}")
                .contains("starling_queue_depth{model=\"tiny\",version=\"2\"}")
                .contains("starling_kv_cache_bytes{model=\"tiny\",state=\"allocated\",version=\"2\"}")
                .contains("starling_time_to_first_token_seconds_count{model=\"tiny\",version=\"2\"}")
                .contains("starling_batch_size_count{model=\"tiny\",version=\"2\"}")
                .contains("starling_requests_total{endpoint=\"/v1/completions\",model=\"tiny\",status=\"200\",version=\"2\"}");
        assertThat(io.starling.telemetry.Prometheus.value(metrics,
                "starling_tokens_generated_total{model=\"tiny\",version=\"2\"}")).isGreaterThanOrEqualTo(3);
    }

    @Test
    void unknownModelsAndVersionsAre404() {
        user().body("{\"model\":\"nope\",\"prompt\":\"Once\",\"max_tokens\":1}").post("/v1/completions").then()
                .statusCode(404).body("error.code", equalTo("model_not_found")).body("error.param", equalTo("model"));
        user().body("{\"model\":\"tiny@9\",\"prompt\":\"Once\",\"max_tokens\":1}").post("/v1/completions").then()
                .statusCode(404).body("error.code", equalTo("model_not_found"));
    }

    @Test
    void absentModelGoesToTheDefault() {
        user().body("{\"prompt\":\"Once\",\"max_tokens\":1}").post("/v1/completions").then().statusCode(200)
                .body("model", equalTo("tiny"));
    }

    @Test
    void modelsListNamesAndPinnedVersions() {
        user().get("/v1/models").then().statusCode(200).body("data.id", hasItems("tiny", "tiny@1", "tiny@2"));
        user().get("/v1/models/tiny@2").then().statusCode(200).body("id", equalTo("tiny@2"));
        user().get("/v1/models/tiny@7").then().statusCode(404).body("error.code", equalTo("model_not_found"));
    }

    @Test
    void aSessionStaysOnItsVersionAcrossATrafficChange() {
        var created = user().body("{\"model\":\"tiny\"}").post("/v1/session").then().statusCode(200).extract();
        String id = created.path("session_id");
        String home = created.header(HEADER);
        String other = home.equals("tiny@1") ? "2" : "1";
        String homeVersion = home.substring("tiny@".length());
        try {
            admin().body("{\"" + other + "\":100,\"" + homeVersion + "\":0}").put("/admin/models/tiny/traffic").then()
                    .statusCode(200);
            for (int turn = 0; turn < 3; turn++) {
                user().body("{\"session_id\":\"" + id + "\",\"prompt\":\" and\",\"max_tokens\":2,\"stream\":false}")
                        .post("/v1/generate").then().statusCode(200).header(HEADER, home);
            }
            user().body("{\"model\":\"tiny\",\"prompt\":\"Once\",\"max_tokens\":1}").post("/v1/completions").then()
                    .statusCode(200).header(HEADER, "tiny@" + other);
            user().body("{\"session_id\":\"" + id + "\"}").post("/v1/session/close").then().statusCode(200);
            user().body("{\"session_id\":\"" + id + "\",\"prompt\":\"x\",\"max_tokens\":1}").post("/v1/generate").then()
                    .statusCode(404).body("error.code", equalTo("session_not_found"));
        } finally {
            admin().body("{\"1\":80,\"2\":20}").put("/admin/models/tiny/traffic").then().statusCode(200);
        }
    }

    @Test
    void adminEndpointsRefuseUserKeysAndNoKey() {
        io.restassured.RestAssured.given().get("/admin/models").then().statusCode(401)
                .body("error.code", equalTo("missing_api_key"));
        user().get("/admin/models").then().statusCode(403).body("error.code", equalTo("admin_key_required"));
        user().body("{\"1\":100}").put("/admin/models/tiny/traffic").then().statusCode(403);
        user().delete("/admin/models/tiny").then().statusCode(403);
        io.restassured.RestAssured.given().header("Authorization", "Bearer wrong").get("/admin/models").then()
                .statusCode(401).body("error.code", equalTo("invalid_api_key"));
        admin().get("/admin/models").then().statusCode(200).body("data.id", hasItems("tiny@1", "tiny@2"));
        // admin keys are not user keys either
        admin().body("{\"prompt\":\"Once\",\"max_tokens\":1}").post("/v1/completions").then().statusCode(401);
    }

    @Test
    void badTrafficSplitsAre400() {
        admin().body("{\"1\":50,\"9\":50}").put("/admin/models/tiny/traffic").then().statusCode(400)
                .body("error.message", org.hamcrest.Matchers.containsString("no version '9'"));
        admin().body("{\"1\":-1,\"2\":10}").put("/admin/models/tiny/traffic").then().statusCode(400);
        admin().body("{\"1\":0,\"2\":0}").put("/admin/models/tiny/traffic").then().statusCode(400);
        admin().body("{\"1\":\"lots\"}").put("/admin/models/tiny/traffic").then().statusCode(400);
        admin().body("{}").put("/admin/models/tiny/traffic").then().statusCode(400);
        admin().body("{\"1\":1}").put("/admin/models/nope/traffic").then().statusCode(404);
        admin().get("/admin/models").then().statusCode(200);
        assertThat(AdminClient.version("tiny@1").get("weight")).isEqualTo(80);
    }
}
