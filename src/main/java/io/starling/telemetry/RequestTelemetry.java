package io.starling.telemetry;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Every API request, seen at the HTTP layer where the real end of a stream (its last byte, or the client going
 * away) is visible: it gets a request id (the client's {@code X-Request-Id} when it is a sane token, echoed back),
 * a {@link RequestRecord} (with the trace and span ids of its OpenTelemetry server span), and at its end a count and
 * duration in the metrics and one access-log line. It runs
 * before authentication, so refused requests (401, 429, 413) are counted and logged too.
 */
@ApplicationScoped
public class RequestTelemetry {

    /** First of the /v1 handlers: before the access filter (auth, rate limits) and the body limit. */
    private static final int ORDER = Integer.MIN_VALUE + 5;
    static final String REQUEST_ID = "X-Request-Id";
    private static final Pattern SANE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final Pattern MODEL_PATH = Pattern.compile("/v1/models/[^/]+");
    private static final Pattern PIPELINE_PATH = Pattern.compile("/v1/pipelines/[^/]+");
    /** The batch API's paths with an id: {@code /v1/files/{id}[/content]}, {@code /v1/batches/{id}[/cancel]}. */
    private static final Pattern BATCH_PATH = Pattern.compile("/v1/(files|batches)/[^/]+(/content|/cancel)?");
    private static final Set<String> ROUTES = Set.of("/v1/chat/completions", "/v1/completions",
            "/v1/embeddings", "/v1/models", "/v1/tokenize", "/v1/detokenize", "/v1/generate", "/v1/pipelines",
            "/v1/files", "/v1/batches", "/v1/session", "/v1/session/close");

    /** nginx's status for a request whose client closed the connection before the answer. */
    static final int CLIENT_CLOSED = 499;

    private final StarlingMetrics metrics;

    RequestTelemetry(StarlingMetrics metrics) {
        this.metrics = metrics;
    }

    void register(@Observes Router router) {
        router.route("/v1/*").order(ORDER).handler(this::handle);
    }

    private void handle(RoutingContext context) {
        long start = System.nanoTime();
        String endpoint = endpoint(context.normalizedPath());
        RequestRecord record = RequestRecord.start(context, requestId(context.request().getHeader(REQUEST_ID)), endpoint);
        context.response().putHeader(REQUEST_ID, record.requestId());
        // the HTTP server span Quarkus opened for this request (valid even when traces are not recorded)
        SpanContext span = Span.current().getSpanContext();
        if (span.isValid()) {
            record.trace(span.getTraceId(), span.getSpanId());
        }
        record.onEnd(() -> {
            long nanos = System.nanoTime() - start;
            int status = recordedStatus(context.response().getStatusCode(), context.response().headWritten());
            metrics.request(endpoint, status, record.modelLabel(), record.versionLabel(), nanos);
            AccessLog.write(record, status, nanos / 1e6);
        });
        context.addEndHandler(ignored -> {
            if (!context.response().ended()) {
                record.clientClosed();
            }
            record.end();
        });
        context.next();
    }

    /**
     * The status a request is counted under: the one answered, or 499 (nginx's "client closed request") when the
     * client left before any answer began and no error had been decided, rather than the 200 a response starts with.
     */
    static int recordedStatus(int status, boolean headWritten) {
        return status == 200 && !headWritten ? CLIENT_CLOSED : status;
    }

    /** The client's id when it is a plain token (so it cannot forge log lines), else a new one. */
    static String requestId(String sent) {
        return sent != null && SANE_ID.matcher(sent).matches() ? sent : UUID.randomUUID().toString();
    }

    /** The route template as the metric label: ids in paths and unknown paths cannot blow up the series. */
    static String endpoint(String path) {
        String trimmed = path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path;
        if (ROUTES.contains(trimmed)) {
            return trimmed;
        }
        if (PIPELINE_PATH.matcher(trimmed).matches()) {
            return "/v1/pipelines/{name}";
        }
        if (MODEL_PATH.matcher(trimmed).matches()) {
            return "/v1/models/{id}";
        }
        var batch = BATCH_PATH.matcher(trimmed);
        if (batch.matches()) {
            return "/v1/" + batch.group(1) + "/{id}" + (batch.group(2) != null ? batch.group(2) : "");
        }
        return "other";
    }
}
