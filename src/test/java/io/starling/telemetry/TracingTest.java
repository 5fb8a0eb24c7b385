package io.starling.telemetry;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A chat completion is traced as Quarkus' HTTP server span with Starling's queue, prefill and decode spans as its
 * children (consecutive, inside it), under the trace id the client sent in {@code traceparent}, which the access line
 * carries too; pipeline stages get spans of their own.
 */
@QuarkusTest
class TracingTest {

    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String CLIENT_SPAN = "00f067aa0ba902b7";

    @Inject
    InMemorySpanExporter exporter;

    @Inject
    Spans spans;

    @Test
    void aChatCompletionHasQueuePrefillAndDecodeSpansUnderItsHttpSpan() {
        String traceId = "0af7651916cd43dd8448eb211c80319c";
        given().header("traceparent", "00-" + traceId + "-" + CLIENT_SPAN + "-01").contentType(ContentType.JSON)
                .body("{\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}],\"max_tokens\":5,\"stream\":true}")
                .post("/v1/chat/completions").then().statusCode(200);
        List<SpanData> trace = InMemorySpans.await(exporter, all -> inTrace(all, traceId).stream()
                .anyMatch(s -> s.getKind() == SpanKind.SERVER) && inTrace(all, traceId).size() >= 4);
        trace = inTrace(trace, traceId);
        SpanData http = trace.stream().filter(s -> s.getKind() == SpanKind.SERVER).findFirst().orElseThrow();
        assertThat(http.getParentSpanId()).as("the client's span is the parent").isEqualTo(CLIENT_SPAN);
        assertThat(http.getName()).contains("/v1/chat/completions");
        Map<String, SpanData> phases = trace.stream().filter(s -> s.getName().startsWith("starling."))
                .collect(Collectors.toMap(SpanData::getName, Function.identity()));
        assertThat(phases).containsOnlyKeys("starling.queue", "starling.prefill", "starling.decode");
        for (SpanData phase : phases.values()) {
            assertThat(phase.getParentSpanId()).as(phase.getName() + " parent").isEqualTo(http.getSpanId());
            assertThat(phase.getAttributes().get(Spans.MODEL)).isEqualTo("stories260K-Q8_0");
            long slack = Duration.ofMillis(5).toNanos(); // the engine's clocks and the span clock are not one
            assertThat(phase.getStartEpochNanos()).as(phase.getName() + " starts within the request")
                    .isGreaterThanOrEqualTo(http.getStartEpochNanos() - slack);
            assertThat(phase.getEndEpochNanos()).as(phase.getName() + " ends within the request")
                    .isLessThanOrEqualTo(http.getEndEpochNanos() + slack);
        }
        assertThat(phases.get("starling.queue").getEndEpochNanos())
                .isEqualTo(phases.get("starling.prefill").getStartEpochNanos());
        assertThat(phases.get("starling.prefill").getEndEpochNanos())
                .isEqualTo(phases.get("starling.decode").getStartEpochNanos());
        assertThat(phases.get("starling.decode").getEndEpochNanos())
                .isGreaterThan(phases.get("starling.decode").getStartEpochNanos());
    }

    @Test
    void theAccessLineCarriesTheRequestsTraceAndSpan() {
        try (AccessLogRecords log = AccessLogRecords.listen()) {
            given().header("X-Request-Id", "traced-1").header("traceparent", "00-" + TRACE_ID + "-" + CLIENT_SPAN + "-01")
                    .get("/v1/models").then().statusCode(200);
            Map<String, String> fields = log.fields("traced-1");
            assertThat(fields.get("traceId")).isEqualTo(TRACE_ID);
            assertThat(fields.get("spanId")).matches("[0-9a-f]{16}").isNotEqualTo(CLIENT_SPAN);
            assertThat(log.await("traced-1").getMessage()).contains("traceId=" + TRACE_ID);
        }
    }

    @Test
    void pipelineStagesGetSpansMarkedWhenTheyFail() {
        assertThat(spans.stage("sentiment", "classify", () -> "positive")).isEqualTo("positive");
        assertThatThrownBy(() -> spans.stage("sentiment", "extract", () -> {
            throw new IllegalStateException("no field");
        })).isInstanceOf(IllegalStateException.class);
        assertThat(spans.stageAsync("sentiment", "embed", () -> Uni.createFrom().item(3)).await().indefinitely())
                .isEqualTo(3);
        List<SpanData> stages = InMemorySpans.await(exporter, all -> all.stream()
                .filter(s -> "sentiment".equals(s.getAttributes().get(Spans.PIPELINE))).count() == 3);
        Map<String, SpanData> byName = stages.stream()
                .filter(s -> "sentiment".equals(s.getAttributes().get(Spans.PIPELINE)))
                .collect(Collectors.toMap(SpanData::getName, Function.identity()));
        assertThat(byName).containsOnlyKeys("pipeline.classify", "pipeline.extract", "pipeline.embed");
        assertThat(byName.get("pipeline.classify").getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
        assertThat(byName.get("pipeline.extract").getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(byName.get("pipeline.extract").getEvents()).anyMatch(e -> e.getName().equals("exception"));
        assertThat(byName.get("pipeline.embed").getAttributes().get(Spans.STAGE)).isEqualTo("embed");
    }

    private static List<SpanData> inTrace(List<SpanData> spans, String traceId) {
        return spans.stream().filter(s -> s.getTraceId().equals(traceId)).toList();
    }
}
