package io.starling.api.health;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.starling.gguf.GgmlType;
import io.starling.model.SyntheticModel;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM against the packaged server with a stream in flight, as Kubernetes stops a pod: readiness turns 503 at
 * once, new requests get 503 with an OpenAI error body, the admitted stream runs to its end, and the process exits 0;
 * a stream longer than the drain timeout is cut off at the timeout instead of holding the pod.
 */
class GracefulShutdownIT {

    private static final Path APP = Path.of("target/quarkus-app/quarkus-run.jar");
    private static final Path EMBEDDED = Path.of("src/main/resources/io/starling/registry/stories260K-Q8_0.gguf");
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Generated tokens of the stream in flight: a few seconds of decoding on one kernel thread with the model below. */
    private static final int STREAM_TOKENS = 300;

    @TempDir
    static Path dir;
    /** Slow enough per token (tens of MB of Q8_0 weights read per step) that the stream outlives the checks below. */
    private static Path slowModel;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private Process server;

    @BeforeAll
    static void writeSlowModel() throws IOException {
        slowModel = SyntheticModel.builder().dims(768, 6, 12, 12, 2048).vocab(512).context(512)
                .type(GgmlType.Q8_0).vocabFrom(EMBEDDED).write(dir.resolve("slow.gguf"));
    }

    @AfterEach
    void stopServer() {
        if (server != null && server.isAlive()) {
            server.destroyForcibly();
        }
    }

    @Test
    void sigtermRefusesNewWorkAndLetsTheStreamInFlightFinish() throws Exception {
        int port = start("60s");
        try (BufferedReader stream = openStream(port)) {
            assertThat(stream.readLine()).startsWith("data: {\"token\":");
            long sigterm = System.nanoTime();
            server.destroy(); // SIGTERM

            assertThat(awaitStatus(port, "/ready", 503)).as("/ready turns 503 once shutdown starts").isTrue();
            HttpResponse<String> refused = http.send(HttpRequest.newBuilder(uri(port, "/v1/completions"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"Once\",\"max_tokens\":4}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.headers().firstValue("Retry-After")).contains("1");
            assertThat(JSON.readTree(refused.body()).at("/error/code").asText()).isEqualTo("server_shutting_down");
            assertThat(server.isAlive()).as("the server waits for the stream in flight").isTrue();

            JsonNode last = lastEvent(stream);
            assertThat(last.path("finish_reason").asText()).as(last.toString()).isEqualTo("length");
            assertThat(last.at("/usage/completion_tokens").asInt()).isEqualTo(STREAM_TOKENS);
            assertThat(server.waitFor(30, TimeUnit.SECONDS)).as("the process stops once drained").isTrue();
            assertThat(server.exitValue()).isZero();
            assertThat(Duration.ofNanos(System.nanoTime() - sigterm)).isLessThan(Duration.ofSeconds(60));
        }
    }

    @Test
    void aStreamLongerThanTheDrainTimeoutIsCutOffAtIt() throws Exception {
        int port = start("1s");
        try (BufferedReader stream = openStream(port)) {
            assertThat(stream.readLine()).startsWith("data: {\"token\":");
            long sigterm = System.nanoTime();
            server.destroy();
            assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
            Duration stopped = Duration.ofNanos(System.nanoTime() - sigterm);
            assertThat(server.exitValue()).isZero();
            assertThat(stopped).as("stopped after the 1 s drain timeout, not after the stream").isLessThan(Duration.ofSeconds(10));
            JsonNode last = lastEvent(stream);
            assertThat(last == null || !last.has("finish_reason")).as("the stream did not complete: " + last).isTrue();
        }
    }

    private int start(String drainTimeout) throws IOException, InterruptedException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        List<String> command = new ArrayList<>(List.of(JAVA, "--add-modules=jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-jar", APP.toString(), "serve"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("server-" + port + ".log").toFile());
        builder.environment().remove("JDK_JAVA_OPTIONS");
        builder.environment().put("STARLING_MODEL", slowModel.toString());
        builder.environment().put("STARLING_SCHEDULER_THREADS", "1");
        builder.environment().put("STARLING_SERVER_DRAIN_TIMEOUT", drainTimeout);
        builder.environment().put("STARLING_BATCH_DIR", dir.resolve("batch-" + port).toString());
        builder.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
        builder.environment().put("QUARKUS_LOG_CONSOLE_JSON_ENABLED", "false");
        server = builder.start();
        assertThat(awaitStatus(port, "/ready", 200)).as("server ready; log: %s", dir.resolve("server-" + port + ".log")).isTrue();
        return port;
    }

    private BufferedReader openStream(int port) throws IOException, InterruptedException {
        HttpResponse<java.io.InputStream> response = http.send(HttpRequest.newBuilder(uri(port, "/v1/generate"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"Once\",\"max_tokens\":" + STREAM_TOKENS
                        + ",\"temperature\":0}")).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        return new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
    }

    /** The last {@code data:} event before the stream ends (normally or cut off), or null if none came. */
    private static JsonNode lastEvent(BufferedReader stream) throws IOException {
        JsonNode last = null;
        try {
            for (String line = stream.readLine(); line != null; line = stream.readLine()) {
                if (line.startsWith("data: {")) {
                    last = JSON.readTree(line.substring("data: ".length()));
                }
            }
        } catch (IOException cutOff) {
            // the server closed the connection mid-stream: what arrived before is the answer
        }
        return last;
    }

    private boolean awaitStatus(int port, String path, int status) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && server.isAlive()) {
            try {
                if (http.send(HttpRequest.newBuilder(uri(port, path)).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == status) {
                    return true;
                }
            } catch (IOException notListeningYet) {
                // keep polling
            }
            Thread.sleep(20);
        }
        return false;
    }

    private static URI uri(int port, String path) {
        return URI.create("http://localhost:" + port + path);
    }
}
