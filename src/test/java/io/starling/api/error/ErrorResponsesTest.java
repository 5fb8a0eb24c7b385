package io.starling.api.error;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.Test;

/** Every error status the API documents, each with the OpenAI error body. */
@QuarkusTest
class ErrorResponsesTest {

    static ValidatableResponse post(String path, String body) {
        return given().contentType(ContentType.JSON).body(body).post(path).then();
    }

    static ValidatableResponse openAiError(ValidatableResponse response, int status) {
        return response.statusCode(status).contentType(ContentType.JSON)
                .body("error.message", notNullValue())
                .body("error.type", notNullValue());
    }

    @Test
    void malformedJsonIs400() {
        openAiError(post("/v1/chat/completions", "{\"messages\": [}"), 400).body("error.code", equalTo("invalid_json"));
    }

    @Test
    void wrongTypeNamesTheParam() {
        // in the client's terms, not Jackson's (Java class names, coercion settings)
        openAiError(post("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":\"ten\"}"), 400)
                .body("error.param", equalTo("max_tokens"))
                .body("error.message", equalTo("Invalid value for 'max_tokens': expected an integer"));
        openAiError(post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"temperature\":[1]}"), 400)
                .body("error.param", equalTo("temperature"))
                .body("error.message", equalTo("Invalid value for 'temperature': expected a number"));
        openAiError(post("/v1/completions", "{\"prompt\":\"x\",\"seed\":99999999999999999999999}"), 400)
                .body("error.param", equalTo("seed"))
                .body("error.message", containsString("out of range of long"));
        openAiError(post("/v1/chat/completions", "[1,2]"), 400)
                .body("error.param", nullValue())
                .body("error.message", equalTo("The request body must be a JSON object of the endpoint's fields"));
    }

    @Test
    void outOfRangeValuesAre400WithTheParam() {
        openAiError(post("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":-1}"), 400).body("error.param", equalTo("max_tokens"));
        openAiError(post("/v1/completions", "{\"prompt\":\"x\",\"temperature\":3}"), 400).body("error.param", equalTo("temperature"));
        openAiError(post("/v1/chat/completions", "{\"messages\":[]}"), 400).body("error.param", equalTo("messages"));
        openAiError(post("/v1/chat/completions", "{\"messages\":[{\"role\":\"wizard\",\"content\":\"hi\"}]}"), 400)
                .body("error.param", equalTo("messages[0].role"));
    }

    @Test
    void unsupportedFieldsAre400NamingThem() {
        String messages = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
        openAiError(post("/v1/chat/completions", "{" + messages + ",\"tools\":[{\"type\":\"function\"}]}"), 400)
                .body("error.param", equalTo("tools")).body("error.code", equalTo("unsupported_parameter"));
        openAiError(post("/v1/chat/completions", "{" + messages + ",\"response_format\":{\"type\":\"json_schema\"}}"), 400)
                .body("error.param", equalTo("response_format"));
        // the neutral values pass, and unknown fields are ignored
        post("/v1/chat/completions", "{" + messages + ",\"max_tokens\":1,\"response_format\":{\"type\":\"text\"},"
                + "\"tool_choice\":\"none\",\"some_future_field\":{\"a\":1}}").statusCode(200);
    }

    @Test
    void unknownModelIs404() {
        openAiError(post("/v1/completions", "{\"model\":\"gpt-9\",\"prompt\":\"x\"}"), 404)
                .body("error.param", equalTo("model")).body("error.code", equalTo("model_not_found"));
        openAiError(given().get("/v1/models/gpt-9").then(), 404).body("error.code", equalTo("model_not_found"));
    }

    @Test
    void unknownRouteIs404AndWrongMethodIs405() {
        openAiError(given().get("/v1/nothing-here").then(), 404);
        openAiError(given().post("/no/such/path").then(), 404);
        openAiError(given().get("/v1/chat/completions").then(), 405);
    }

    @Test
    void unsupportedMediaTypeIs415() {
        openAiError(given().contentType(ContentType.TEXT).body("hello").post("/v1/completions").then(), 415);
    }

    @Test
    void contextLengthExceededIs400WithItsCode() {
        openAiError(post("/v1/completions", "{\"prompt\":\"Once upon a time\",\"max_tokens\":100000}"), 400)
                .body("error.code", equalTo("context_length_exceeded"))
                .body("error.param", equalTo("prompt"));
        String longPrompt = "word ".repeat(2000);
        openAiError(post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"" + longPrompt + "\"}]}"), 400)
                .body("error.code", equalTo("context_length_exceeded"));
    }

    @Test
    void bodiesOverTheLimitAre413() {
        String huge = "{\"prompt\":\"" + "a".repeat(9 * 1024 * 1024) + "\"}";
        openAiError(post("/v1/completions", huge), 413);
    }

    @Test
    void errorBodyHasAllFourFields() {
        post("/v1/completions", "{\"prompt\":\"x\",\"suffix\":\"y\"}").statusCode(400)
                .body("error.message", containsString("suffix"))
                .body("error.type", equalTo("invalid_request_error"))
                .body("error.param", equalTo("suffix"))
                .body("error.code", equalTo("unsupported_parameter"));
        post("/v1/chat/completions", "[1,2,3]").statusCode(400).body("error.param", nullValue());
    }
}
