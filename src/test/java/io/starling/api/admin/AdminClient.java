package io.starling.api.admin;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Requests of the multi-model tests: a user's and an admin's, and waiting for a version's state. */
final class AdminClient {

    private AdminClient() {
    }

    static RequestSpecification user() {
        return given().header("Authorization", "Bearer " + MultiModelProfile.USER_KEY).contentType(ContentType.JSON);
    }

    static RequestSpecification admin() {
        return given().header("Authorization", "Bearer " + MultiModelProfile.ADMIN_KEY).contentType(ContentType.JSON);
    }

    /** Deploys the embedded model as {@code name@1} with a KV cap of {@code kvMb}, and waits until it is ready. */
    static void deployEmbedded(String name, int kvMb) throws InterruptedException {
        admin().body("{\"name\":\"" + name + "\",\"source\":\"" + MultiModelProfile.embedded() + "\",\"kv_cache_mb\":"
                + kvMb + "}").post("/admin/models").then().statusCode(202);
        awaitState(name + "@1", "ready");
    }

    /** The admin view of version {@code id} ({@code name@version}), or null when it is not listed. */
    static Map<String, Object> version(String id) {
        JsonPath list = admin().get("/admin/models").then().statusCode(200).extract().jsonPath();
        List<Map<String, Object>> data = list.getList("data");
        return data.stream().filter(m -> id.equals(m.get("id"))).findFirst().orElse(null);
    }

    /** Waits until version {@code id} is in {@code state} ("gone": no longer listed). */
    static void awaitState(String id, String state) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            Map<String, Object> view = version(id);
            String now = view == null ? "gone" : (String) view.get("state");
            if (now.equals(state)) {
                return;
            }
            assertThat(System.nanoTime()).as(id + " is " + now + " (" + view + "), waiting for " + state)
                    .isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
