package io.starling.api.admin;

import static io.starling.api.admin.AdminClient.admin;
import static io.starling.api.admin.AdminClient.awaitState;
import static io.starling.api.admin.AdminClient.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Deploy, hot reload under load, drain on unload and the memory budget, through the admin API. */
@QuarkusTest
@TestProfile(MultiModelProfile.class)
class AdminLifecycleTest {

    private static final String HEADER = "X-Starling-Model-Version";

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void deployServesAfterLoadingAndBadSourcesFailWithTheReason() throws Exception {
        admin().body("{\"name\":\"fresh\",\"source\":\"" + MultiModelProfile.embedded() + "\",\"kv_cache_mb\":2}")
                .post("/admin/models").then().statusCode(202)
                .body("id", equalTo("fresh@1")).body("weight", equalTo(100));
        awaitState("fresh@1", "ready");
        user().body("{\"model\":\"fresh\",\"prompt\":\"Once\",\"max_tokens\":1}").post("/v1/completions").then()
                .statusCode(200).header(HEADER, "fresh@1");
        // the same version twice is a conflict; a second version gets no traffic until told
        admin().body("{\"name\":\"fresh\",\"version\":\"1\",\"source\":\"" + MultiModelProfile.embedded() + "\"}")
                .post("/admin/models").then().statusCode(409).body("error.code", equalTo("model_conflict"));

        admin().body("{\"name\":\"broken\",\"source\":\"/no/such/model.gguf\"}").post("/admin/models").then()
                .statusCode(202);
        awaitState("broken@1", "failed");
        assertThat((String) AdminClient.version("broken@1").get("reason")).contains("no such file");
        user().body("{\"model\":\"broken@1\",\"prompt\":\"Once\",\"max_tokens\":1}").post("/v1/completions").then()
                .statusCode(503).body("error.message", containsString("failed"));

        admin().body("{\"name\":\"badsum\",\"source\":\"" + MultiModelProfile.embedded() + "\",\"sha256\":\""
                + "0".repeat(64) + "\",\"kv_cache_mb\":2}").post("/admin/models").then().statusCode(202);
        awaitState("badsum@1", "failed");
        assertThat((String) AdminClient.version("badsum@1").get("reason")).contains("sha256 mismatch");

        admin().body("{\"name\":\"x y\",\"source\":\"/a\"}").post("/admin/models").then().statusCode(400);
        admin().body("{\"source\":\"/a\"}").post("/admin/models").then().statusCode(400)
                .body("error.param", equalTo("name"));
        admin().body("{\"name\":\"web\",\"source\":\"ftp://host/m.gguf\"}").post("/admin/models").then()
                .statusCode(400).body("error.message", containsString("ftp"));
        admin().body("{\"name\":\"web\",\"source\":\"http://127.0.0.1:1/m.gguf\"}").post("/admin/models").then()
                .statusCode(400).body("error.message", containsString("sha256"));

        for (String name : new String[] {"fresh", "broken", "badsum"}) {
            admin().delete("/admin/models/" + name).then().statusCode(202);
        }
        awaitState("fresh@1", "gone");
        admin().delete("/admin/models/fresh").then().statusCode(404);
    }

    @Test
    void httpSourcesAreDownloadedAndVerified() throws Exception {
        byte[] content = java.nio.file.Files.readAllBytes(MultiModelProfile.embedded());
        String sha256 = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(content));
        try (io.starling.registry.source.ModelFileServer server = new io.starling.registry.source.ModelFileServer(content)) {
            admin().body("{\"name\":\"remote\",\"source\":\"" + server.uri() + "\",\"sha256\":\"" + sha256
                    + "\",\"kv_cache_mb\":2}").post("/admin/models").then().statusCode(202);
            awaitState("remote@1", "ready");
            user().body("{\"model\":\"remote\",\"prompt\":\"Once\",\"max_tokens\":1}").post("/v1/completions").then()
                    .statusCode(200).header(HEADER, "remote@1");
            admin().body("{\"name\":\"remote\",\"source\":\"" + server.uri() + "\",\"sha256\":\"" + "ab".repeat(32)
                    + "\",\"kv_cache_mb\":2}").post("/admin/models").then().statusCode(202).body("id", equalTo("remote@2"));
            awaitState("remote@2", "failed");
            assertThat((String) AdminClient.version("remote@2").get("reason")).contains("sha256");
        }
        admin().delete("/admin/models/remote").then().statusCode(202);
        awaitState("remote@1", "gone");
    }

    @Test
    void aModelOverTheMemoryBudgetIsRefusedCleanly() {
        admin().body("{\"name\":\"big\",\"source\":\"" + MultiModelProfile.embedded() + "\",\"kv_cache_mb\":"
                + (MultiModelProfile.BUDGET_MB * 2) + "}").post("/admin/models").then().statusCode(409)
                .body("error.code", equalTo("memory_budget_exceeded"))
                .body("error.message", containsString("starling.memory-budget-mb"));
        assertThat(AdminClient.version("big@1")).isNull();
        user().body("{\"model\":\"tiny\",\"prompt\":\"Once\",\"max_tokens\":1}").post("/v1/completions").then()
                .statusCode(200);
    }

    @Test
    void hotReloadWhileStreamsRunFailsNoRequest() throws Exception {
        AdminClient.deployEmbedded("live", 2);

        List<CompletableFuture<HttpResponse<String>>> streams = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            streams.add(stream("live", 48));
        }
        // the reload starts once live@1 has taken some of them (the async sends may still be connecting)
        long routed = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (streams.stream().noneMatch(CompletableFuture::isDone)
                && ((Number) AdminClient.version("live@1").get("in_flight")).intValue() == 0) {
            assertThat(System.nanoTime()).as("a stream reaches live@1").isLessThan(routed);
            Thread.sleep(2);
        }
        admin().body("{\"source\":\"" + MultiModelProfile.second().toUri() + "\"}").post("/admin/models/live/reload")
                .then().statusCode(202).body("id", equalTo("live@2"));
        // keep the traffic coming while the new version loads, takes over, and the old one drains
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (AdminClient.version("live@1") != null && System.nanoTime() < deadline) {
            streams.add(stream("live", 8));
            Thread.sleep(20);
        }
        awaitState("live@1", "gone");
        int failed = 0;
        List<String> versions = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> s : streams) {
            HttpResponse<String> response = s.get(60, TimeUnit.SECONDS);
            boolean ok = response.statusCode() == 200 && response.body().endsWith("data: [DONE]\n\n")
                    && !response.body().contains("\"error\"");
            failed += ok ? 0 : 1;
            versions.add(response.headers().firstValue(HEADER).orElse("none"));
        }
        assertThat(failed).as("failed requests of " + streams.size()).isZero();
        assertThat(versions).contains("live@1");
        user().body("{\"model\":\"live\",\"prompt\":\"Once\",\"max_tokens\":1}").post("/v1/completions").then()
                .statusCode(200).header(HEADER, "live@2").body("system_fingerprint", equalTo("live@2"));
        user().body("{\"model\":\"live@1\",\"prompt\":\"Once\",\"max_tokens\":1}").post("/v1/completions").then()
                .statusCode(404);
        admin().delete("/admin/models/live").then().statusCode(202);
        awaitState("live@2", "gone");
    }

    @Test
    void aFailedReloadLeavesTheOldVersionServing() throws Exception {
        AdminClient.deployEmbedded("steady", 2);
        admin().body("{\"source\":\"/no/such/file.gguf\"}").post("/admin/models/steady/reload").then().statusCode(202);
        awaitState("steady@2", "failed");
        user().body("{\"model\":\"steady\",\"prompt\":\"Once\",\"max_tokens\":1}").post("/v1/completions").then()
                .statusCode(200).header(HEADER, "steady@1");
        admin().delete("/admin/models/steady").then().statusCode(202);
        awaitState("steady@1", "gone");
    }

    @Test
    void unloadDrainsAnInFlightStream() throws Exception {
        // 16 x 400 positions of this model take 4 MiB of KV pages
        AdminClient.deployEmbedded("drain", 8);
        // 16 sampled sequences of up to 400 tokens: seconds of work, still running when the DELETE comes
        HttpRequest request = HttpRequest.newBuilder(URI.create(RestAssured.baseURI + ":" + RestAssured.port + "/v1/completions"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + MultiModelProfile.USER_KEY)
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"drain\",\"prompt\":\"Once\",\"max_tokens\":400,"
                        + "\"n\":16,\"temperature\":1,\"seed\":3,\"stream\":true}"))
                .build();
        HttpResponse<java.io.InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        try (BufferedReader body = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            assertThat(body.readLine()).startsWith("data: {");
            admin().delete("/admin/models/drain/versions/1").then().statusCode(202)
                    .body("data[0].state", equalTo("draining"));
            user().body("{\"model\":\"drain\",\"prompt\":\"Once\",\"max_tokens\":1}").post("/v1/completions").then()
                    .statusCode(404);
            StringBuilder rest = new StringBuilder();
            String line;
            while ((line = body.readLine()) != null) {
                rest.append(line).append('\n');
            }
            assertThat(rest.toString()).doesNotContain("\"error\"").endsWith("data: [DONE]\n\n");
            long finished = rest.toString().lines().filter(l -> l.contains("\"finish_reason\":\"")).count();
            assertThat(finished).as("every one of the 16 choices finished").isEqualTo(16);
        }
        awaitState("drain@1", "gone");
    }

    /** A streamed completion of {@code model}, read whole. */
    private CompletableFuture<HttpResponse<String>> stream(String model, int maxTokens) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(RestAssured.baseURI + ":" + RestAssured.port + "/v1/completions"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + MultiModelProfile.USER_KEY)
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model + "\",\"prompt\":\"Once upon\",\"max_tokens\":"
                        + maxTokens + ",\"stream\":true}"))
                .build();
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    }
}
