package io.starling.api.openai;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.starling.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The server configured with a shared model file ({@code starling.model}) instead of the embedded one, checked
 * against golden.json's entry for that file: greedy /v1/completions text and /v1/tokenize ids. Skips when the
 * shared models are absent.
 */
@QuarkusTest
@TestProfile(SharedModelGoldenTest.SharedF32.class)
class SharedModelGoldenTest {

    static final String FILE = "stories260K-f32.gguf";

    /** Serves the shared file when it exists; otherwise the embedded model, and the tests skip. */
    public static class SharedF32 implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            String dir = System.getProperty("starling-test-models", "../shared/models");
            Path file = Path.of(dir).resolve(FILE).toAbsolutePath().normalize();
            return Files.isRegularFile(file) ? Map.of("starling.model", file.toString()) : Map.of();
        }
    }

    JsonNode golden;

    @BeforeEach
    void readGolden() throws IOException {
        TestModels.file(FILE);
        golden = new ObjectMapper().readTree(TestModels.file("golden.json").toFile()).path("files").path(FILE);
    }

    @Test
    void greedyCompletionEqualsGolden() {
        given().contentType(ContentType.JSON)
                .body(Map.of("model", "stories260K-f32", "prompt", golden.get("prompt").asText(),
                        "max_tokens", golden.get("n_predict").asInt(), "temperature", 0))
                .post("/v1/completions").then().statusCode(200)
                .body("model", equalTo("stories260K-f32"))
                .body("choices[0].text", equalTo(golden.get("generated_text").asText()))
                .body("usage.completion_tokens", equalTo(golden.get("n_generated").asInt()));
    }

    @Test
    void tokenizeEqualsLlamaCppsPromptTokens() {
        Integer[] expected = new Integer[golden.get("prompt_tokens").size()];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = golden.get("prompt_tokens").get(i).asInt();
        }
        given().contentType(ContentType.JSON).body(Map.of("text", golden.get("prompt").asText()))
                .post("/v1/tokenize").then().statusCode(200)
                .body("tokens", contains(expected));
    }
}
