package io.starling.api.openai;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

@QuarkusTest
class EmbeddingsResourceTest {

    @Test
    void floatEmbeddingsOfSeveralInputs() {
        JsonPath json = given().contentType(ContentType.JSON)
                .body("{\"model\":\"stories260K-Q8_0\",\"input\":[\"Once upon a time\",\"Lily\"]}")
                .post("/v1/embeddings").then().statusCode(200)
                .body("object", equalTo("list"))
                .body("data", hasSize(2))
                .body("data[1].index", equalTo(1))
                .body("data[0].object", equalTo("embedding"))
                .body("data[0].embedding", hasSize(64))
                .body("model", equalTo("stories260K-Q8_0"))
                .body("usage.prompt_tokens", org.hamcrest.Matchers.greaterThanOrEqualTo(5 + 2))
                .extract().jsonPath();
        List<Float> vector = json.getList("data[0].embedding", Float.class);
        assertThat(Math.sqrt(vector.stream().mapToDouble(v -> v * v).sum())).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-3));
    }

    @Test
    void base64IsTheSameVectorAsLittleEndianFloats() {
        List<Float> floats = given().contentType(ContentType.JSON).body("{\"input\":\"Once upon a time\"}")
                .post("/v1/embeddings").then().statusCode(200).extract().jsonPath().getList("data[0].embedding", Float.class);
        String encoded = given().contentType(ContentType.JSON)
                .body("{\"input\":\"Once upon a time\",\"encoding_format\":\"base64\"}")
                .post("/v1/embeddings").then().statusCode(200).extract().path("data[0].embedding");
        ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(encoded)).order(ByteOrder.LITTLE_ENDIAN);
        for (float expected : floats) {
            assertThat(bytes.getFloat()).isEqualTo(expected);
        }
        assertThat(bytes.remaining()).isZero();
    }

    @Test
    void anEmptyStringIsRefusedAsOpenAiRefusesIt() {
        given().contentType(ContentType.JSON).body("{\"input\":\"\"}").post("/v1/embeddings").then()
                .statusCode(400).body("error.param", org.hamcrest.Matchers.equalTo("input"));
        given().contentType(ContentType.JSON).body("{\"input\":[\"Lily\",\"\"]}").post("/v1/embeddings").then()
                .statusCode(400).body("error.param", org.hamcrest.Matchers.equalTo("input[1]"));
    }
}
