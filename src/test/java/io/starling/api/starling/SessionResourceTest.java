package io.starling.api.starling;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.starling.telemetry.Prometheus;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Sessions over HTTP on a server with a KV cache of four pages (64 positions of stories260K), a spill file, at most
 * two sessions of three seconds. Steps take at most three tokens, fewer than the kernels' token-lane threshold, so
 * how a prompt is chunked cannot change a bit of the arithmetic and greedy tokens compare exactly.
 */
@QuarkusTest
@TestProfile(SessionResourceTest.TinyKv.class)
class SessionResourceTest {

    public static class TinyKv implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Path spill = Path.of(System.getProperty("java.io.tmpdir"), "starling-session-test-" + ProcessHandle.current().pid());
            return Map.of("starling.kv.cache-mb", "0.04", "starling.kv.spill-path", spill.toString(),
                    "starling.kv.spill-mb", "1", "starling.sessions.max", "2", "starling.sessions.ttl-seconds", "3",
                    "starling.scheduler.max-batch-size", "2", "starling.scheduler.max-batch-tokens", "3");
        }
    }

    private static final String FIRST = "Once upon a time";
    private static final String THEN = " Then the";

    @Test
    void aSessionTurnGivesTheTokensOfTheWholeConversationEvenAfterItsCacheWasSpilled() {
        String id = create();
        List<Integer> reply = generate("{\"session_id\":\"" + id + "\",\"prompt\":\"" + FIRST + "\",\"max_tokens\":12}")
                .getList("tokens", Integer.class);
        String before = Prometheus.scrape();
        // a one-off request of all four pages: the idle session's page must go to the spill file
        generate("{\"tokens\":" + ids(50) + ",\"max_tokens\":4}");
        JsonPath second = generate("{\"session_id\":\"" + id + "\",\"prompt\":\"" + THEN + "\",\"max_tokens\":12}");
        String after = Prometheus.scrape();
        assertThat(Prometheus.value(after, "starling_kv_cache_spilled_pages_total"))
                .isGreaterThan(Prometheus.value(before, "starling_kv_cache_spilled_pages_total"));
        assertThat(Prometheus.value(after, "starling_kv_cache_restored_pages_total"))
                .isGreaterThan(Prometheus.value(before, "starling_kv_cache_restored_pages_total"));

        List<Integer> whole = new ArrayList<>(tokenize(FIRST, true));
        whole.addAll(reply);
        whole.addAll(tokenize(THEN, false));
        assertThat(second.getInt("usage.prompt_tokens")).as("the model saw the whole conversation").isEqualTo(whole.size());
        JsonPath direct = generate("{\"tokens\":" + whole + ",\"max_tokens\":12}");
        assertThat(second.getList("tokens", Integer.class)).isEqualTo(direct.getList("tokens", Integer.class));
        close(id);
    }

    @Test
    void aClosedSessionIsGone() {
        String id = create();
        generate("{\"session_id\":\"" + id + "\",\"prompt\":\"" + FIRST + "\",\"max_tokens\":2}");
        close(id);
        given().contentType(ContentType.JSON).body("{\"session_id\":\"" + id + "\",\"prompt\":\"x\",\"max_tokens\":1}")
                .post("/v1/generate").then().statusCode(404).body("error.code", equalTo("session_not_found"));
        given().contentType(ContentType.JSON).body("{\"session_id\":\"" + id + "\"}").post("/v1/session/close").then()
                .statusCode(404).body("error.code", equalTo("session_not_found")).body("error.param", equalTo("session_id"));
        given().contentType(ContentType.JSON).body("{}").post("/v1/session/close").then()
                .statusCode(400).body("error.param", equalTo("session_id"));
    }

    @Test
    void beyondTheMaximumSessionsAreRefusedAndABadTurnLeavesTheSessionUsable() {
        String a = create();
        String b = create();
        given().contentType(ContentType.JSON).body("{}").post("/v1/session").then().statusCode(429)
                .body("error.code", equalTo("session_limit")).body("error.type", equalTo("rate_limit_error"));
        // refused before it ran (the context is 512): the session is given back, not left busy
        given().contentType(ContentType.JSON).body("{\"session_id\":\"" + a + "\",\"prompt\":\"x\",\"max_tokens\":600}")
                .post("/v1/generate").then().statusCode(400).body("error.code", equalTo("context_length_exceeded"));
        generate("{\"session_id\":\"" + a + "\",\"prompt\":\"" + FIRST + "\",\"max_tokens\":1}");
        close(a);
        close(b);
    }

    @Test
    void aRequestLargerThanTheWholeCacheIs429WithoutRetryAfter() {
        given().contentType(ContentType.JSON).body("{\"tokens\":" + ids(70) + ",\"max_tokens\":1,\"stream\":false}")
                .post("/v1/generate").then().statusCode(429)
                .header("Retry-After", nullValue())
                .body("error.code", equalTo("kv_cache_full"))
                .body("error.message", startsWith("this request needs more KV cache memory"));
        generate("{\"prompt\":\"" + FIRST + "\",\"max_tokens\":4}");
    }

    @Test
    void anIdleSessionExpiresOnTheTimer() throws InterruptedException {
        String id = create();
        long deadline = System.nanoTime() + 15_000_000_000L;
        // the timer closes it, without any request looking it up
        while (Prometheus.value(Prometheus.scrape(), "starling_sessions_open") > 0) {
            assertThat(System.nanoTime()).as("the session expired").isLessThan(deadline);
            Thread.sleep(200);
        }
        given().contentType(ContentType.JSON).body("{\"session_id\":\"" + id + "\"}").post("/v1/session/close").then()
                .statusCode(404);
    }

    /** A prompt of {@code count} ids: BOS, then ordinary tokens. */
    static List<Integer> ids(int count) {
        List<Integer> ids = new ArrayList<>(List.of(1));
        for (int i = 1; i < count; i++) {
            ids.add(300 + i % 50);
        }
        return ids;
    }

    static String create() {
        return given().contentType(ContentType.JSON).body("{}").post("/v1/session").then().statusCode(200)
                .body("object", equalTo("session")).body("ttl_seconds", equalTo(3))
                .extract().path("session_id");
    }

    static void close(String id) {
        given().contentType(ContentType.JSON).body("{\"session_id\":\"" + id + "\"}").post("/v1/session/close").then()
                .statusCode(200).body("closed", equalTo(true));
    }

    /** A greedy, non-streamed generation that must succeed. */
    static JsonPath generate(String fields) {
        String body = fields.substring(0, fields.length() - 1) + ",\"temperature\":0,\"stream\":false}";
        return given().contentType(ContentType.JSON).body(body).post("/v1/generate").then().statusCode(200)
                .extract().jsonPath();
    }

    static List<Integer> tokenize(String text, boolean special) {
        return given().contentType(ContentType.JSON)
                .body("{\"text\":\"" + text + "\",\"add_special_tokens\":" + special + ",\"parse_special\":true}")
                .post("/v1/tokenize").then().statusCode(200).extract().jsonPath().getList("tokens", Integer.class);
    }
}
