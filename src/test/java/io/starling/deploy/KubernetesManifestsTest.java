package io.starling.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.knative.serving.v1.Service;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.kustomize.v1beta1.Kustomization;
import io.starling.deploy.ManifestValidator.Checked;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every YAML file under {@code kubernetes/} is valid against its schema (see {@link ManifestValidator}), every path a
 * kustomization names exists, every overlay renders with {@code kubectl kustomize} (where kubectl is installed), and
 * the manifests agree with the server: probe paths, the drain timeout inside the grace period, Knative probe ports.
 */
class KubernetesManifestsTest {

    private static final Path ROOT = Path.of("kubernetes");
    private final ManifestValidator validator = new ManifestValidator();

    static List<Path> yamlFiles() throws IOException {
        try (Stream<Path> files = Files.walk(ROOT)) {
            return files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).sorted().toList();
        }
    }

    static List<Path> kustomizations() throws IOException {
        return yamlFiles().stream().filter(f -> f.getFileName().toString().equals("kustomization.yaml")).toList();
    }

    @ParameterizedTest
    @MethodSource("yamlFiles")
    void everyManifestMatchesItsSchema(Path file) throws IOException {
        List<Checked> documents = checked(file);
        assertThat(documents).as(file + " holds no document").isNotEmpty();
        for (Checked document : documents) {
            assertThat(document.problems()).as(file + ": " + document.kind() + " " + document.name()).isEmpty();
        }
    }

    @ParameterizedTest
    @MethodSource("kustomizations")
    void everyPathAKustomizationNamesExists(Path file) throws IOException {
        Kustomization kustomization = (Kustomization) checked(file).getFirst().model();
        assertThat(kustomization.getResources()).as(file + " resources").isNotEmpty();
        for (String resource : kustomization.getResources()) {
            assertThat(file.resolveSibling(resource)).as(file + " names " + resource).exists();
        }
    }

    @ParameterizedTest
    @MethodSource("kustomizations")
    void everyKustomizationRendersToValidManifests(Path file) throws Exception {
        List<Checked> rendered = render(file.getParent());
        assertThat(rendered).isNotEmpty();
        for (Checked document : rendered) {
            assertThat(document.problems()).as("rendered " + file.getParent() + ": " + document.kind() + " " + document.name()).isEmpty();
        }
    }

    @Test
    void theValidatorRefusesUnknownFieldsWrongTypesAndUnknownKinds() throws IOException {
        String broken = """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: x}
                spec:
                  selector: {matchLabels: {a: b}}
                  template:
                    metadata: {labels: {a: b}}
                    spec:
                      containers:
                        - name: x
                          image: x
                          livenessProbe: {httpGet: {path: /health, port: 8080}, periodSecond: 10}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: x}
                spec:
                  ports: [{port: "80"}]
                ---
                apiVersion: keda.sh/v1alpha1
                kind: ScaledObject
                metadata: {name: x}
                """;
        List<Checked> documents = validator.check(new StringReader(broken));
        assertThat(documents).hasSize(3);
        assertThat(documents.get(0).problems()).singleElement().asString()
                .contains("[periodSecond]").contains(".spec.template.spec.containers[0].livenessProbe");
        assertThat(documents.get(1).problems()).singleElement().asString().contains("\"80\"");
        assertThat(documents.get(2).problems()).containsExactly("no schema known for keda.sh/v1alpha1/ScaledObject");
    }

    @Test
    void deploymentProbesTheServersHealthPathsAndOutlastsTheDrain() throws Exception {
        Deployment deployment = only(render(ROOT.resolve("base")), Deployment.class);
        Container server = deployment.getSpec().getTemplate().getSpec().getContainers().getFirst();
        assertThat(server.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/health");
        assertThat(server.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/ready");
        assertThat(server.getStartupProbe().getHttpGet().getPath()).isEqualTo("/ready");
        long preStop = server.getLifecycle().getPreStop().getSleep().getSeconds();
        long grace = deployment.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds();
        assertThat(grace).as("terminationGracePeriodSeconds > preStop + drain timeout")
                .isGreaterThan(preStop + drainTimeout().toSeconds());
        assertThat(deployment.getSpec().getTemplate().getSpec().getInitContainers()).extracting(Container::getName)
                .containsExactly("fetch-model");
    }

    @Test
    void knativeProbesNameTheirPortAndTheGraceOutlastsTheDrain() throws Exception {
        Service service = only(render(ROOT.resolve("overlays/serverless")), Service.class);
        var spec = service.getSpec().getTemplate().getSpec();
        Container server = spec.getContainers().getFirst();
        for (Probe probe : List.of(server.getLivenessProbe(), server.getReadinessProbe())) {
            assertThat(probe.getHttpGet().getPort().getIntVal()).isEqualTo(server.getPorts().getFirst().getContainerPort());
        }
        assertThat(spec.getContainerConcurrency()).isPositive();
        assertThat(service.getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry("autoscaling.knative.dev/min-scale", "0");
        assertThat(spec.getTerminationGracePeriodSeconds()).isGreaterThan(drainTimeout().toSeconds());
    }

    /** The drain timeout the ConfigMap gives the server. */
    private Duration drainTimeout() throws Exception {
        ConfigMap config = only(render(ROOT.resolve("common")), ConfigMap.class);
        String value = config.getData().get("STARLING_SERVER_DRAIN_TIMEOUT");
        assertThat(value).matches("\\d+s");
        return Duration.ofSeconds(Long.parseLong(value.substring(0, value.length() - 1)));
    }

    private List<Checked> checked(Path file) throws IOException {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return validator.check(reader);
        }
    }

    /** {@code kubectl kustomize dir}, read back through the validator; skipped where kubectl is not installed. */
    private List<Checked> render(Path dir) throws Exception {
        assumeTrue(kubectlInstalled(), "kubectl is not on the PATH: rendering the kustomizations is skipped "
                + "(every file is still validated on its own)");
        Process kubectl = new ProcessBuilder("kubectl", "kustomize", dir.toString()).redirectErrorStream(false).start();
        String out = new String(kubectl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(kubectl.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(kubectl.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(kubectl.exitValue()).as("kubectl kustomize " + dir + ": " + err).isZero();
        return validator.check(new StringReader(out));
    }

    private static <T> T only(List<Checked> documents, Class<T> type) {
        List<T> matching = documents.stream().map(Checked::model).filter(type::isInstance).map(type::cast).toList();
        assertThat(matching).as(type.getSimpleName() + " in " + documents.stream().map(Checked::kind).toList()).hasSize(1);
        return matching.getFirst();
    }

    private static boolean kubectlInstalled() {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, "kubectl")));
    }
}
