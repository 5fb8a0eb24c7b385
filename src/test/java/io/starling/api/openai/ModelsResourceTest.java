package io.starling.api.openai;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ModelsResourceTest {

    @Test
    void listsTheServedModelByNameAndPinnedVersion() {
        given().get("/v1/models").then().statusCode(200)
                .body("object", equalTo("list"))
                .body("data", hasSize(2))
                .body("data[0].id", equalTo("stories260K-Q8_0"))
                .body("data[1].id", equalTo("stories260K-Q8_0@1"))
                .body("data[0].object", equalTo("model"))
                .body("data[0].owned_by", equalTo("starling"));
    }

    @Test
    void getsOneModelById() {
        given().get("/v1/models/stories260K-Q8_0").then().statusCode(200)
                .body("id", equalTo("stories260K-Q8_0")).body("object", equalTo("model"));
    }
}
