package io.starling.api.starling;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.List;
import org.junit.jupiter.api.Test;

@QuarkusTest
class TokenizeResourceTest {

    @Test
    void tokenIdsEqualLlamaCpps() {
        // golden.json: llama.cpp's prompt_tokens for "Once upon a time" on stories260K
        given().contentType(ContentType.JSON).body("{\"model\":\"stories260K-Q8_0\",\"text\":\"Once upon a time\"}")
                .post("/v1/tokenize").then().statusCode(200)
                .body("tokens", contains(1, 403, 407, 261, 378))
                .body("offsets", contains(List.of(0, 0), List.of(0, 4), List.of(4, 9), List.of(9, 11), List.of(11, 16)));
    }

    @Test
    void withoutSpecialTokensThereIsNoBos() {
        given().contentType(ContentType.JSON).body("{\"text\":\"Once upon a time\",\"add_special_tokens\":false}")
                .post("/v1/tokenize").then().statusCode(200)
                .body("tokens", contains(403, 407, 261, 378));
    }

    @Test
    void detokenizeInvertsTokenize() {
        given().contentType(ContentType.JSON).body("{\"tokens\":[1,403,407,261,378]}")
                .post("/v1/detokenize").then().statusCode(200)
                .body("text", equalTo("Once upon a time"));
    }

    @Test
    void detokenizeRefusesIdsOutsideTheVocabulary() {
        given().contentType(ContentType.JSON).body("{\"tokens\":[1,100000]}")
                .post("/v1/detokenize").then().statusCode(400)
                .body("error.param", equalTo("tokens"));
    }
}
