package io.starling.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * The JVM memory flags that keep the server near model file + KV + the JVM's own (perf/RESULTS.md, "Memory: the
 * JVM's flags") are the launcher's, and every other place that starts the application passes exactly the same ones:
 * the container image (whose AOT cache the JVM refuses when its training run had other flags), the Jib entrypoint,
 * the Kubernetes batch jobs and the perf scripts. And the running JDK accepts them.
 */
class JvmMemoryFlagsTest {

    /** A heap, collector or native-memory option: -XX:[+-]Name[=value], -Xms/-Xmx/-Xmn/-Xss SIZE. */
    private static final Pattern FLAG = Pattern.compile("-XX:[+-]?[A-Za-z0-9]+(=[^\\s\",}\\)]+)?|-X(ms|mx|mn|ss)[0-9]+[kKmMgG]?");
    private static final Pattern LAUNCHER_ARRAY = Pattern.compile("(?s)\\njvm_memory=\\((.*?)\\)");

    /** Where a file's java command starts: its flags are those between this and the next -jar or -cp. */
    static Map<String, String> commands() {
        return Map.of(
                "src/main/docker/Dockerfile.jvm", "ENTRYPOINT [\"java\"",
                "src/main/docker/train-aot-cache.sh", "STARLING_JVM_FLAGS:-",
                "kubernetes/image/add-aot-cache", "ENTRYPOINT [\"java\"",
                "pom.xml", "<entrypoint>java,",
                "kubernetes/batch/cronjob.yaml", "command: [\"java\"",
                "kubernetes/batch/indexed-job.yaml", "command: [\"java\"",
                "perf/start-to-ready", "flags=(",
                "perf/first-requests", "flags=(",
                "perf/model-cputime", "exec \"$JAVA_HOME/bin/java\"");
    }

    static List<String> files() {
        return commands().keySet().stream().sorted().toList();
    }

    @ParameterizedTest
    @MethodSource("files")
    void everyCommandPassesTheLaunchersMemoryFlags(String file) throws IOException {
        assertThat(flagsOf(file)).as(file + " against ./starling's jvm_memory").isEqualTo(launcherFlags());
    }

    @Test
    void theLauncherChoosesACollectorAndTheJdkAcceptsItsFlags() throws Exception {
        List<String> flags = launcherFlags();
        assertThat(flags).anyMatch(f -> f.matches("-XX:\\+Use[A-Za-z]+GC"));
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.addAll(flags);
        command.add("-version");
        Process java = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(java.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(java.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(java.exitValue()).as(output).isZero();
        assertThat(output).doesNotContainIgnoringCase("warning").doesNotContainIgnoringCase("unrecognized");
    }

    private static List<String> launcherFlags() throws IOException {
        Matcher array = LAUNCHER_ARRAY.matcher(Files.readString(Path.of("starling")));
        assertThat(array.find()).as("./starling defines jvm_memory=(...)").isTrue();
        List<String> flags = flagsIn(array.group(1));
        assertThat(flags).isNotEmpty();
        return flags;
    }

    private static List<String> flagsOf(String file) throws IOException {
        String text = Files.readString(Path.of(file));
        String start = commands().get(file);
        int from = text.indexOf(start);
        assertThat(from).as(file + " has its java command at '" + start + "'").isNotNegative();
        Matcher end = Pattern.compile("-jar\\b|-cp\\b|\\}").matcher(text);
        assertThat(end.find(from + start.length())).as(file + ": the end of its java command").isTrue();
        return flagsIn(text.substring(from + start.length(), end.start())).stream()
                .filter(f -> !f.startsWith("-XX:AOTCache")) // the image's own cache, not a memory flag
                .toList();
    }

    private static List<String> flagsIn(String text) {
        List<String> flags = new ArrayList<>();
        Matcher flag = FLAG.matcher(text);
        while (flag.find()) {
            flags.add(flag.group());
        }
        return flags;
    }
}
