package io.starling.api.openai;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.starling.telemetry.AccessLogRecords;
import io.restassured.RestAssured;
import io.starling.engine.InferenceEngine;
import io.starling.registry.ModelRegistry;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A client that goes away mid-stream cancels its generation: the engine is free again at once. */
@QuarkusTest
class ClientDisconnectTest {

    @Inject
    ModelRegistry registry;

    /** The engine of the one model version the test server deploys (the embedded model). */
    private InferenceEngine engine() {
        return registry.all().getFirst().engine();
    }

    @Test
    void closingTheStreamStopsTheGeneration() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(RestAssured.baseURI + ":" + RestAssured.port + "/v1/generate"))
                .header("Content-Type", "application/json").header("X-Request-Id", "disconnect-1")
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"Once\",\"max_tokens\":509,\"temperature\":0}"))
                .build();
        long cancelledBefore = engine().cancelledJobs();
        AccessLogRecords log = AccessLogRecords.listen();
        HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        try (InputStream body = response.body()) {
            BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
            assertThat(reader.readLine()).startsWith("data: {\"token\":");
        }
        client.shutdownNow();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (engine().busy() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(engine().busy()).as("the engine is still generating for a client that left").isFalse();
        assertThat(engine().cancelledJobs()).as("the job ended by cancellation, not by running out").isEqualTo(cancelledBefore + 1);
        try (log) {
            assertThat(log.fields("disconnect-1")).containsEntry("client_closed", "true").doesNotContainKey("error");
        }
    }
}
