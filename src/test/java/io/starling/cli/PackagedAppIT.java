package io.starling.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.starling.TestModels;
import io.starling.registry.source.ModelBytes;
import io.starling.registry.source.ModelFileServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged application and its launcher, run as users run them. */
class PackagedAppIT {

    private static final Path APP = Path.of("target/quarkus-app/quarkus-run.jar");
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    record Result(int exit, String out, String err) {
    }

    static Result run(List<String> command) throws IOException, InterruptedException {
        return run(command, Map.of());
    }

    static Result run(List<String> command, Map<String, String> environment) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().remove("JDK_JAVA_OPTIONS");
        pb.environment().putAll(environment);
        Path out = Files.createTempFile("starling-out", ".txt");
        Path err = Files.createTempFile("starling-err", ".txt");
        Process process = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("timed out: " + command);
        }
        return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    static List<String> java(String... args) {
        List<String> command = new ArrayList<>(List.of(JAVA, "--add-modules=jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-jar", APP.toString()));
        command.addAll(List.of(args));
        return command;
    }

    @Test
    void withoutTheVectorModuleItStopsWithOneClearLine() throws Exception {
        Result result = run(List.of(JAVA, "-jar", APP.toString(), "inspect", "x.gguf"));
        assertThat(result.exit()).isEqualTo(2);
        assertThat(result.err().strip()).contains("--add-modules=jdk.incubator.vector").doesNotContain("Exception");
    }

    @Test
    void inspectRunsWithoutStartingTheServer() throws Exception {
        Path model = TestModels.file("stories260K-Q8_0.gguf");
        Result result = run(java("inspect", "--json", model.toString()));
        assertThat(result.exit()).as(result.err()).isZero();
        JsonNode root = new ObjectMapper().readTree(result.out());
        assertThat(root.get("architecture").asText()).isEqualTo("llama");
        assertThat(root.get("tensors").size()).isEqualTo(48);
        assertThat(result.err()).doesNotContain("Listening on");
    }

    @Test
    void pullDownloadsIntoTheCacheTheEnvironmentNamesAndModelsListsIt(@TempDir Path cache) throws Exception {
        byte[] model = ModelBytes.random(100_000, 3);
        String sha256 = ModelBytes.sha256(model).hex();
        Map<String, String> environment = Map.of("STARLING_MODEL_CACHE", cache.toString());
        try (ModelFileServer server = new ModelFileServer(model)) {
            Result pull = run(java("pull", server.uri().toString(), "--sha256", sha256), environment);
            assertThat(pull.exit()).as(pull.err()).isZero();
            assertThat(pull.out()).isEqualTo(cache.resolve(sha256 + ".gguf") + System.lineSeparator());
            assertThat(pull.err()).contains("verified and cached").doesNotContain("Listening on");

            Result models = run(java("models"), environment);
            assertThat(models.exit()).as(models.err()).isZero();
            assertThat(models.out().strip()).startsWith(sha256).endsWith(server.uri().toString());
        }
    }

    @Test
    void badFileIsOneLineNoStackTrace() throws Exception {
        Result result = run(java("inspect", "/no/such/file.gguf"));
        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.out()).isEmpty();
        assertThat(result.err()).contains("starling: no such file: /no/such/file.gguf").doesNotContain("\tat ");
    }

    @Test
    void launcherFindsAJdk25EvenWhenJavaHomeIsOlder() throws Exception {
        Path fake = Files.createTempDirectory("old-jdk");
        Files.createDirectories(fake.resolve("bin"));
        Files.writeString(fake.resolve("release"), "JAVA_VERSION=\"17.0.15\"\n");
        for (String tool : List.of("java", "javac")) {
            Path exe = Files.writeString(fake.resolve("bin").resolve(tool), "#!/bin/sh\nexit 1\n");
            exe.toFile().setExecutable(true);
        }
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", ". bin/jdk.sh && starling_find_jdk");
        pb.environment().put("JAVA_HOME", fake.toString());
        Process process = pb.start();
        String found = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(process.waitFor()).isZero();
        assertThat(found).isNotEqualTo(fake.toString());
        assertThat(Files.readString(Path.of(found, "release"))).containsPattern("JAVA_VERSION=\"(2[5-9]|[3-9][0-9])");
    }

    @Test
    void launcherRunsTheCli() throws Exception {
        Result result = run(List.of("./starling", "--version"));
        assertThat(result.exit()).as(result.err()).isZero();
        assertThat(result.out()).startsWith("starling ");
    }
}
