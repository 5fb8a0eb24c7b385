package io.starling.telemetry;

import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What is known about one API request for its access-log line: who asked (tenant id, never the key), for what
 * model, how many tokens and where the time went. Created when the request arrives, filled in by the access filter
 * and the resources (on worker threads), read once when the response ends; never holds prompt text or keys.
 */
public final class RequestRecord {

    private static final String KEY = RequestRecord.class.getName();

    private final String requestId;
    private final String method;
    private final String endpoint;
    private String traceId;
    private String spanId;
    private String tenant;
    private String model;
    private String version;
    private String sessionId;
    private int promptTokens;
    private int completionTokens;
    private boolean usage;
    private double queueMs;
    private double prefillMs;
    private double decodeMs;
    private boolean timings;
    private String error;
    private boolean clientClosed;
    /** What the end of the request does (count it, log it); run once, by whichever notices the end first. */
    private Runnable end = () -> { };
    private final AtomicBoolean ended = new AtomicBoolean();

    RequestRecord(String requestId, String method, String endpoint) {
        this.requestId = requestId;
        this.method = method;
        this.endpoint = endpoint;
    }

    /** Attaches a new record to the request. */
    static RequestRecord start(RoutingContext context, String requestId, String endpoint) {
        RequestRecord record = new RequestRecord(requestId, context.request().method().name(), endpoint);
        context.put(KEY, record);
        return record;
    }

    /**
     * The record of {@code context}'s request; a detached one (written nowhere) when there is no HTTP request, so
     * code that fills records never needs to ask whether one exists.
     */
    public static RequestRecord of(RoutingContext context) {
        RequestRecord record = context == null ? null : context.get(KEY);
        return record != null ? record : new RequestRecord("none", "NONE", "none");
    }

    public String requestId() {
        return requestId;
    }

    /**
     * The OpenTelemetry trace and span of the request's HTTP server span, for the access line: under the MDC keys
     * Quarkus gives every other log line of the request ({@code traceId}, {@code spanId}), so one query finds all.
     */
    synchronized void trace(String traceId, String spanId) {
        this.traceId = traceId;
        this.spanId = spanId;
    }

    public synchronized String tenant() {
        return tenant;
    }

    public synchronized void tenant(String tenant) {
        this.tenant = tenant;
    }

    /** The model version that serves the request (its name, and the version routing picked). */
    public synchronized void model(String model, String version) {
        this.model = model;
        this.version = version;
    }

    /** The model's name as a metric label: {@code none} when the request reached no model. */
    synchronized String modelLabel() {
        return model != null ? model : "none";
    }

    synchronized String versionLabel() {
        return version != null ? version : "none";
    }

    public synchronized void sessionId(String sessionId) {
        this.sessionId = sessionId;
    }

    /** Tokens of a request that did not go through the engine's generation (embeddings). */
    public synchronized void promptTokens(int tokens) {
        promptTokens += tokens;
        usage = true;
    }

    /**
     * One finished engine job. A request may run several (one per prompt): tokens and compute times add up, the
     * queue wait is the longest one, since the jobs waited side by side.
     */
    public synchronized void job(int prompt, int completion, double queue, double prefill, double decode) {
        promptTokens += prompt;
        completionTokens += completion;
        usage = true;
        queueMs = Math.max(queueMs, queue);
        prefillMs += prefill;
        decodeMs += decode;
        timings = true;
    }

    /** The engine work failed; its type is logged (a timeout inside a stream whose 200 was already sent, say). */
    public synchronized void failed(Throwable failure) {
        error = failure.getClass().getSimpleName();
    }

    /** The connection closed before the response was complete: the client went away. */
    synchronized void clientClosed() {
        clientClosed = true;
    }

    /**
     * The engine work was cancelled because its subscriber went away: the client left. The request ends now: when a
     * write to a closed connection fails, the HTTP layer may never report the end of the response.
     */
    public void clientGone() {
        clientClosed();
        end();
    }

    synchronized void onEnd(Runnable end) {
        this.end = end;
    }

    /** Runs the end once, however many times the end is noticed. */
    void end() {
        Runnable action;
        synchronized (this) {
            action = end;
        }
        if (ended.compareAndSet(false, true)) {
            action.run();
        }
    }

    /** The log fields, in a stable order; fields nobody filled in are left out. */
    synchronized Map<String, String> fields(int status, double durationMs) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("request_id", requestId);
        fields.put("method", method);
        fields.put("endpoint", endpoint);
        fields.put("status", Integer.toString(status));
        fields.put("duration_ms", milliseconds(durationMs));
        putIfSet(fields, "traceId", traceId);
        putIfSet(fields, "spanId", spanId);
        putIfSet(fields, "tenant", tenant);
        putIfSet(fields, "model", model);
        putIfSet(fields, "version", version);
        putIfSet(fields, "session_id", sessionId);
        if (usage) {
            fields.put("prompt_tokens", Integer.toString(promptTokens));
            fields.put("completion_tokens", Integer.toString(completionTokens));
        }
        if (timings) {
            fields.put("queue_ms", milliseconds(queueMs));
            fields.put("prefill_ms", milliseconds(prefillMs));
            fields.put("decode_ms", milliseconds(decodeMs));
        }
        putIfSet(fields, "error", error);
        if (clientClosed) {
            fields.put("client_closed", "true");
        }
        return fields;
    }

    private static void putIfSet(Map<String, String> fields, String key, String value) {
        if (value != null) {
            fields.put(key, value);
        }
    }

    private static String milliseconds(double ms) {
        return Double.toString(Math.round(ms * 1000) / 1000.0);
    }
}
