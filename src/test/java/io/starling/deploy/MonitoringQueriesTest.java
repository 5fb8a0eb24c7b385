package io.starling.deploy;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.Rule;
import io.fabric8.openshift.api.model.monitoring.v1.RuleGroup;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.starling.telemetry.Prometheus;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard and the PrometheusRule in {@code kubernetes/monitoring/} query only metrics the server
 * really exports: the server runs a chat completion (so per-model meters, prediction confidence and drift exist),
 * its /metrics is scraped, and every metric name in every query must be among the samples.
 */
@QuarkusTest
class MonitoringQueriesTest {

    private static final Path MONITORING = Path.of("kubernetes", "monitoring");
    private static final Pattern SAMPLE = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]");

    @Test
    void dashboardAndAlertsQueryOnlyExportedMetrics() throws IOException {
        given().contentType(ContentType.JSON)
                .body("{\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}],\"max_tokens\":4}")
                .post("/v1/chat/completions").then().statusCode(200);
        Set<String> exported = new TreeSet<>();
        Matcher sample = SAMPLE.matcher(Prometheus.scrape());
        while (sample.find()) {
            exported.add(sample.group(1));
        }

        List<String> queries = new ArrayList<>(dashboardQueries());
        queries.addAll(ruleExpressions());
        Set<String> used = new TreeSet<>();
        queries.forEach(query -> used.addAll(PromQl.metricNames(query)));

        assertThat(used).as("metric names in the dashboard and rules").contains("starling_tokens_generated_total",
                "starling_drift_score", "starling_prediction_confidence_bucket", "starling_requests_total");
        assertThat(exported).as("samples on /metrics").containsAll(used);
    }

    @Test
    void theExtractorFindsMetricsNotFunctionsLabelsOrKeywords() {
        assertThat(PromQl.metricNames("histogram_quantile(0.95, sum by (le, model) "
                + "(rate(a_seconds_bucket{model=~\"$model\",le=\"0.5\"}[$__rate_interval]))) / on (model) b_total"))
                .containsExactly("a_seconds_bucket", "b_total");
        assertThat(PromQl.metricNames("max by (namespace) (c_score) > 0.2 and d unless e offset 5m"))
                .containsExactly("c_score", "d", "e");
        assertThat(PromQl.metricNames("label_values(f_total, model)")).containsExactly("f_total");
    }

    /** Every panel target's {@code expr} and every templating query of the dashboard. */
    private static List<String> dashboardQueries() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(MONITORING.resolve("starling-dashboard.json").toFile());
        List<String> queries = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                queries.add(target.path("expr").asText());
            }
        }
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if (variable.path("type").asText().equals("query")) {
                queries.add(variable.path("definition").asText());
            }
        }
        assertThat(queries).as("dashboard queries").isNotEmpty().doesNotContain("");
        return queries;
    }

    private static List<String> ruleExpressions() throws IOException {
        PrometheusRule rule;
        try (Reader reader = Files.newBufferedReader(MONITORING.resolve("prometheusrule.yaml"), StandardCharsets.UTF_8)) {
            rule = (PrometheusRule) new ManifestValidator().check(reader).getFirst().model();
        }
        List<String> expressions = new ArrayList<>();
        for (RuleGroup group : rule.getSpec().getGroups()) {
            for (Rule r : group.getRules()) {
                expressions.add(r.getExpr().getStrVal());
            }
        }
        assertThat(expressions).as("alert expressions").isNotEmpty();
        return expressions;
    }
}
