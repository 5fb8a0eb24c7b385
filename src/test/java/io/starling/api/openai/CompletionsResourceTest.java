package io.starling.api.openai;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Legacy completions against the embedded stories260K-Q8_0, the file golden.json's stories260K-Q8_0 entry describes. */
@QuarkusTest
class CompletionsResourceTest {

    /** golden.json, stories260K-Q8_0.gguf: llama.cpp's greedy 64 tokens after "Once upon a time". */
    static final String GOLDEN = ", there was a little girl named Lily. She loved to play outside in the park. One day,"
            + " she saw a big, red ball. She wanted to play with it, but it was too high.\nLily's mom said";

    static ValidatableResponse post(String body) {
        return given().contentType(ContentType.JSON).body(body).post("/v1/completions").then();
    }

    @Test
    void greedyCompletionEqualsLlamaCppsGoldenText() {
        post("{\"model\":\"stories260K-Q8_0\",\"prompt\":\"Once upon a time\",\"max_tokens\":64,\"temperature\":0}")
                .statusCode(200).contentType(ContentType.JSON)
                .body("id", startsWith("cmpl-"))
                .body("object", equalTo("text_completion"))
                .body("model", equalTo("stories260K-Q8_0"))
                .body("choices", hasSize(1))
                .body("choices[0].text", equalTo(GOLDEN))
                .body("choices[0].index", equalTo(0))
                .body("choices[0].logprobs", nullValue())
                .body("choices[0].finish_reason", equalTo("length"))
                .body("usage.prompt_tokens", equalTo(5))
                .body("usage.completion_tokens", equalTo(64))
                .body("usage.total_tokens", equalTo(69));
    }

    @Test
    void streamingConcatenatesToTheSameText() {
        String body = given().contentType(ContentType.JSON)
                .body("{\"prompt\":\"Once upon a time\",\"max_tokens\":64,\"temperature\":0,\"stream\":true,"
                        + "\"stream_options\":{\"include_usage\":true}}")
                .post("/v1/completions").then().statusCode(200).contentType(startsWith("text/event-stream"))
                .extract().asString();
        List<String> events = SseEvents.data(body);
        assertThat(events.getLast()).isEqualTo("[DONE]");
        List<JsonPath> chunks = events.subList(0, events.size() - 1).stream().map(JsonPath::from).toList();
        String text = chunks.stream().filter(c -> !c.getList("choices").isEmpty())
                .map(c -> c.getString("choices[0].text")).collect(Collectors.joining());
        assertThat(text).isEqualTo(GOLDEN);
        assertThat(chunks).allSatisfy(c -> assertThat(c.getString("object")).isEqualTo("text_completion"));
        assertThat(chunks.get(chunks.size() - 2).getString("choices[0].finish_reason")).isEqualTo("length");
        assertThat(chunks.getLast().getInt("usage.completion_tokens")).isEqualTo(64);
    }

    @Test
    void stopStringCutsTheTextAndEndsWithStop() {
        post("{\"prompt\":\"Once upon a time\",\"max_tokens\":64,\"temperature\":0,\"stop\":[\"Lily\",\"zzz\"]}")
                .statusCode(200)
                .body("choices[0].text", equalTo(", there was a little girl named "))
                .body("choices[0].finish_reason", equalTo("stop"));
    }

    @Test
    void echoWithLogprobsScoresThePrompt() {
        JsonPath json = post("{\"prompt\":\"Once upon a time\",\"max_tokens\":0,\"echo\":true,\"logprobs\":2}")
                .statusCode(200)
                .body("choices[0].text", equalTo("Once upon a time"))
                .body("usage.completion_tokens", equalTo(0))
                .extract().jsonPath();
        List<Float> logprobs = json.getList("choices[0].logprobs.token_logprobs", Float.class);
        assertThat(logprobs).hasSize(5);
        assertThat(logprobs.getFirst()).isNull();
        assertThat(logprobs.subList(1, 5)).allSatisfy(lp -> assertThat(lp).isNegative());
        assertThat(json.getList("choices[0].logprobs.tokens", String.class)).containsExactly("<s>", " Once", " upon", " a", " time");
        List<java.util.Map<String, Object>> top = json.getList("choices[0].logprobs.top_logprobs");
        assertThat(top.getFirst()).isNull();
        assertThat(top.get(1)).hasSize(2);
        assertThat(json.getList("choices[0].logprobs.text_offset", Integer.class)).hasSize(5);
    }

    @Test
    void generatedLogprobsHaveTheRequestedAlternatives() {
        JsonPath json = post("{\"prompt\":\"Once upon a time\",\"max_tokens\":3,\"temperature\":0,\"logprobs\":3}")
                .statusCode(200).extract().jsonPath();
        assertThat(json.getList("choices[0].logprobs.tokens", String.class)).containsExactly(",", " there", " was");
        List<java.util.Map<String, Object>> top = json.getList("choices[0].logprobs.top_logprobs");
        assertThat(top).hasSize(3);
        assertThat(top.getFirst()).hasSize(3).containsKey(",");
    }

    @Test
    void severalPromptsAndNGiveOneChoiceEach() {
        JsonPath json = post("{\"prompt\":[\"Once upon a time\",[1,403,407,261,378]],\"max_tokens\":4,\"n\":2,"
                + "\"temperature\":0.8,\"seed\":7}").statusCode(200).extract().jsonPath();
        assertThat(json.getList("choices.index", Integer.class)).containsExactly(0, 1, 2, 3);
        // the same prompt and seeds, as text or as ids: the same continuations
        assertThat(json.getString("choices[2].text")).isEqualTo(json.getString("choices[0].text"));
        assertThat(json.getString("choices[3].text")).isEqualTo(json.getString("choices[1].text"));
        assertThat(json.getInt("usage.prompt_tokens")).isEqualTo(10);
        assertThat(json.getInt("usage.completion_tokens")).isEqualTo(16);
    }

    @Test
    void oneTokenIdPromptLongerThanThePromptCountLimitIsOnePrompt() {
        String ids = "[1," + String.join(",", java.util.Collections.nCopies(300, "403")) + "]";
        post("{\"prompt\":" + ids + ",\"max_tokens\":1,\"temperature\":0}").statusCode(200)
                .body("choices", org.hamcrest.Matchers.hasSize(1))
                .body("usage.prompt_tokens", equalTo(301));
    }

    @Test
    void morePromptsThanTheQueueHoldsAreAClientErrorNotOverload() {
        String prompts = "[" + String.join(",", java.util.Collections.nCopies(65, "\"Once\"")) + "]";
        post("{\"prompt\":" + prompts + ",\"max_tokens\":1}").statusCode(400)
                .body("error.param", equalTo("prompt"))
                .body("error.message", org.hamcrest.Matchers.containsString("at most 64 prompts per request"));
    }

    @Test
    void sameSeedSameText() {
        String body = "{\"prompt\":\"Once upon a time\",\"max_tokens\":16,\"temperature\":1.0,\"top_k\":40,\"top_p\":0.9,"
                + "\"repetition_penalty\":1.1,\"frequency_penalty\":0.5,\"presence_penalty\":0.5,\"seed\":42}";
        String first = post(body).statusCode(200).extract().path("choices[0].text");
        String second = post(body).statusCode(200).extract().path("choices[0].text");
        assertThat(second).isEqualTo(first);
    }
}
