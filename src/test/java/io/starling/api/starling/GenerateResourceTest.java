package io.starling.api.starling;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.starling.api.openai.SseEvents;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

@QuarkusTest
class GenerateResourceTest {

    static final String GOLDEN_16 = ", there was a little girl named Lily. She loved to play outside in the park.";

    @Test
    void streamsOneEventPerTokenThenAFinalEvent() {
        String body = given().contentType(ContentType.JSON)
                .body("{\"tokens\":[1,403,407,261,378],\"max_tokens\":64,\"temperature\":0,\"logprobs\":true}")
                .post("/v1/generate").then().statusCode(200).contentType(startsWith("text/event-stream"))
                .extract().asString();
        List<JsonPath> events = SseEvents.data(body).stream().map(JsonPath::from).toList();
        assertThat(events).hasSize(65);
        List<JsonPath> tokens = events.subList(0, 64);
        assertThat(tokens).allSatisfy(t -> {
            assertThat(t.getInt("token")).isBetween(0, 511);
            assertThat(t.getFloat("logprob")).isLessThanOrEqualTo(0f);
        });
        assertThat(tokens.getFirst().getInt("token")).isEqualTo(432);
        String text = tokens.stream().map(t -> t.getString("text")).collect(Collectors.joining()) + events.getLast().getString("text");
        assertThat(text).startsWith(GOLDEN_16);
        JsonPath last = events.getLast();
        assertThat(last.getString("finish_reason")).isEqualTo("length");
        assertThat(last.getInt("usage.prompt_tokens")).isEqualTo(5);
        assertThat(last.getInt("usage.completion_tokens")).isEqualTo(64);
        assertThat(last.getDouble("timings.prefill_ms")).isGreaterThanOrEqualTo(0);
        assertThat(last.getDouble("timings.decode_ms")).isGreaterThanOrEqualTo(0);
        assertThat(last.getDouble("timings.queue_ms")).isGreaterThanOrEqualTo(0);
    }

    @Test
    void nonStreamingReturnsOneResult() {
        given().contentType(ContentType.JSON)
                .body("{\"prompt\":\"Once upon a time\",\"max_tokens\":16,\"temperature\":0,\"stream\":false}")
                .post("/v1/generate").then().statusCode(200).contentType(ContentType.JSON)
                .body("text", startsWith(", there was a little girl named Lily."))
                .body("tokens", hasSize(16))
                .body("finish_reason", equalTo("length"))
                .body("usage.total_tokens", equalTo(21))
                .body("timings.decode_ms", notNullValue());
    }

    @Test
    void anUnknownSessionIs404() {
        given().contentType(ContentType.JSON).body("{\"prompt\":\"x\",\"session_id\":\"abc\"}")
                .post("/v1/generate").then().statusCode(404)
                .body("error.param", equalTo("session_id"))
                .body("error.code", equalTo("session_not_found"))
                .body("error.type", equalTo("invalid_request_error"));
    }
}
