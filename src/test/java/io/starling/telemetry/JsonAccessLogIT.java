package io.starling.telemetry;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.http.ContentType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The packaged application runs in the prod profile, where the console log is JSON: the access line of a request
 * is one JSON object whose {@code mdc} holds the request's fields and its trace ids, and nothing of the prompt; and
 * tracing, with no exporter configured, writes nothing of its own.
 */
@QuarkusIntegrationTest
class JsonAccessLogIT {

    /** Where @QuarkusIntegrationTest sends the application's console output. */
    private static final Path LOG = Path.of("target", "quarkus.log");

    @Test
    void theAccessLineIsJsonWithTheRequestFields() throws Exception {
        given().header("X-Request-Id", "json-it-1").contentType(ContentType.JSON)
                .body("{\"prompt\":\"Turquoise giraffes\",\"max_tokens\":3}").post("/v1/completions")
                .then().statusCode(200);
        String line = awaitLine("json-it-1");
        assertThat(line).doesNotContain("Turquoise");
        JsonNode json = new ObjectMapper().readTree(line);
        assertThat(json.get("loggerName").asText()).isEqualTo("io.starling.access");
        assertThat(json.get("level").asText()).isEqualTo("INFO");
        JsonNode mdc = json.get("mdc");
        assertThat(mdc.get("request_id").asText()).isEqualTo("json-it-1");
        assertThat(mdc.get("endpoint").asText()).isEqualTo("/v1/completions");
        assertThat(mdc.get("status").asText()).isEqualTo("200");
        assertThat(mdc.get("model").asText()).isEqualTo("stories260K-Q8_0");
        assertThat(mdc.get("completion_tokens").asText()).isEqualTo("3");
        assertThat(mdc.get("tenant").asText()).startsWith("address-");
        assertThat(mdc.has("prefill_ms")).isTrue();
        assertThat(mdc.get("traceId").asText()).as("the request's trace, also without an exporter").matches("[0-9a-f]{32}");
        assertThat(mdc.get("spanId").asText()).matches("[0-9a-f]{16}");
        // no OTLP endpoint is configured: tracing must neither try to export nor complain about it
        assertThat(Files.readString(LOG, StandardCharsets.UTF_8)).doesNotContainIgnoringCase("otlp")
                .doesNotContainIgnoringCase("failed to export").doesNotContain("4317");
    }

    private static String awaitLine(String requestId) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (Files.exists(LOG)) {
                Optional<String> line = Files.readAllLines(LOG, StandardCharsets.UTF_8).stream()
                        .filter(l -> l.contains("\"" + requestId + "\"") && l.contains("io.starling.access")).findFirst();
                if (line.isPresent()) {
                    return line.get();
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no access line for " + requestId + " in " + LOG.toAbsolutePath());
    }
}
