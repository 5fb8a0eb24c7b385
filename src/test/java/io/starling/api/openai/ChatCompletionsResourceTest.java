package io.starling.api.openai;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.util.List;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ChatCompletionsResourceTest {

    static final String HELLO = """
            {"model":"stories260K-Q8_0","messages":[{"role":"user","content":"Hello"}],"max_tokens":8,"temperature":0}""";

    @Test
    void nonStreamingHasTheOpenAiShape() {
        given().contentType(ContentType.JSON).body(HELLO).post("/v1/chat/completions").then()
                .statusCode(200).contentType(ContentType.JSON)
                .body("id", startsWith("chatcmpl-"))
                .body("object", equalTo("chat.completion"))
                .body("created", greaterThan(0))
                .body("model", equalTo("stories260K-Q8_0"))
                .body("choices[0].index", equalTo(0))
                .body("choices[0].message.role", equalTo("assistant"))
                .body("choices[0].message.content", notNullValue())
                .body("choices[0].finish_reason", equalTo("length"))
                .body("usage.completion_tokens", equalTo(8))
                .body("usage.total_tokens", greaterThan(8));
    }

    @Test
    void streamingSendsRoleFirstThenDeltasThenDone() {
        String body = given().contentType(ContentType.JSON)
                .body(HELLO.replace("\"temperature\":0", "\"temperature\":0,\"stream\":true,\"stream_options\":{\"include_usage\":true}"))
                .post("/v1/chat/completions").then()
                .statusCode(200).contentType(startsWith("text/event-stream"))
                .extract().asString();
        List<String> events = SseEvents.data(body);
        assertThat(events.getLast()).isEqualTo("[DONE]");
        JsonPath first = JsonPath.from(events.getFirst());
        assertThat(first.getString("object")).isEqualTo("chat.completion.chunk");
        assertThat(first.getString("choices[0].delta.role")).isEqualTo("assistant");
        JsonPath usage = JsonPath.from(events.get(events.size() - 2));
        assertThat(usage.getList("choices")).isEmpty();
        assertThat(usage.getInt("usage.completion_tokens")).isEqualTo(8);
        JsonPath finish = JsonPath.from(events.get(events.size() - 3));
        assertThat(finish.getString("choices[0].finish_reason")).isEqualTo("length");
    }

    @Test
    void logprobsAndSeveralChoices() {
        given().contentType(ContentType.JSON)
                .body("{\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\","
                        + "\"content\":[{\"type\":\"text\",\"text\":\"Hi\"}]}],\"max_completion_tokens\":3,\"n\":2,"
                        + "\"seed\":1,\"logprobs\":true,\"top_logprobs\":2}")
                .post("/v1/chat/completions").then().statusCode(200)
                .body("choices.index", org.hamcrest.Matchers.contains(0, 1))
                .body("choices[0].logprobs.content", org.hamcrest.Matchers.hasSize(3))
                .body("choices[0].logprobs.content[0].top_logprobs", org.hamcrest.Matchers.hasSize(2))
                .body("choices[0].logprobs.content[0].bytes", notNullValue())
                .body("usage.completion_tokens", equalTo(6));
    }

    @Test
    void stopStringEndsWithStop() {
        given().contentType(ContentType.JSON)
                .body("{\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}],\"temperature\":0,\"max_tokens\":40,\"stop\":\"e\"}")
                .post("/v1/chat/completions").then().statusCode(200)
                .body("choices[0].finish_reason", equalTo("stop"))
                .body("choices[0].message.content", org.hamcrest.Matchers.not(org.hamcrest.Matchers.containsString("e")));
    }
}
