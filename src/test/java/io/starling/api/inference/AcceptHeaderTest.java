package io.starling.api.inference;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The generating endpoints answer the Accept headers real clients send: the official OpenAI SDKs send
 * {@code Accept: application/json} on every call, streamed or not (OpenAI answers a stream with SSE whatever it says).
 * ({@code /v1/generate} streams unless told not to.)
 */
@QuarkusTest
class AcceptHeaderTest {

    private static final String CHAT = "/v1/chat/completions|{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"max_tokens\":2";
    private static final String COMPLETIONS = "/v1/completions|{\"prompt\":\"Once\",\"max_tokens\":2";
    private static final String GENERATE = "/v1/generate|{\"prompt\":\"Once\",\"max_tokens\":2";

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
        "chat; application/json", "chat; application/*", "chat; application/json, text/event-stream", "chat; */*",
        "completions; application/json", "completions; application/json, text/plain, */*",
        "generate; application/json"})
    void aJsonAnswerForAJsonAccept(String endpoint, String accept) {
        String[] target = target(endpoint);
        Response response = given().contentType("application/json").header("Accept", accept)
                .body(target[1] + ",\"stream\":false}").post(target[0]);
        response.then().statusCode(200).contentType(startsWith("application/json"));
        // the document itself, not a JSON string holding it
        assertThat(JsonPath.from(response.asString()).getMap("$")).isNotEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
        "chat; application/json", "chat; text/event-stream", "completions; application/json",
        "completions; text/event-stream", "generate; application/json", "generate; text/event-stream"})
    void anSseStreamWhateverTheAcceptSays(String endpoint, String accept) {
        String[] target = target(endpoint);
        String body = given().contentType("application/json").header("Accept", accept)
                .body(target[1] + ",\"stream\":true}").post(target[0])
                .then().statusCode(200).contentType(startsWith("text/event-stream")).extract().asString();
        assertThat(body).startsWith("data: {");
    }

    private static String[] target(String endpoint) {
        return switch (endpoint) {
            case "chat" -> CHAT.split("\\|");
            case "completions" -> COMPLETIONS.split("\\|");
            case "generate" -> GENERATE.split("\\|");
            default -> throw new IllegalArgumentException(endpoint);
        };
    }
}
