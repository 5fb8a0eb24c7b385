package io.starling.api.admin;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** Without admin keys the admin API is off, and says how to turn it on. */
@QuarkusTest
class AdminDisabledTest {

    @Test
    void everyAdminCallIs403WithTheSettingToUse() {
        given().get("/admin/models").then().statusCode(403)
                .body("error.code", equalTo("admin_disabled"))
                .body("error.message", containsString("starling.auth.admin-keys"));
        given().header("Authorization", "Bearer anything").contentType("application/json").body("{}")
                .post("/admin/models").then().statusCode(403).body("error.code", equalTo("admin_disabled"));
    }
}
