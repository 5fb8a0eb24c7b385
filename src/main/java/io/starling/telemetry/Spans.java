package io.starling.telemetry;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The spans Starling adds to the HTTP server spans Quarkus makes: the engine phases of each generation job
 * ({@code starling.queue}, {@code starling.prefill}, {@code starling.decode}) and one span per pipeline stage
 * ({@code pipeline.<stage>}). OpenTelemetry stays out of the engine: the phases are rebuilt from the timings its
 * {@code Completed} event reports. Spans are recorded only when traces are exported ({@link TraceSampling}); otherwise
 * these calls make non-recording spans and cost next to nothing.
 *
 * <p>A pipeline wraps each stage: {@code spans.stage("sentiment", "classify", () -> classify(text))}, or
 * {@code spans.stageAsync("sentiment", "embed", () -> embedUni)} for work that completes later; the stage span is a
 * child of the current span (the request's) and ends with the work, marked as an error if it fails.
 */
@ApplicationScoped
public class Spans {

    static final AttributeKey<String> MODEL = AttributeKey.stringKey("starling.model");
    static final AttributeKey<String> PIPELINE = AttributeKey.stringKey("starling.pipeline");
    static final AttributeKey<String> STAGE = AttributeKey.stringKey("starling.pipeline.stage");

    private final Tracer tracer;

    Spans(Tracer tracer) {
        this.tracer = tracer;
    }

    /**
     * Queue wait, prefill and decode of one finished engine job of {@code model}, as consecutive children of
     * {@code parent} (the request's context, taken when the job was submitted) that end now, when the job completed.
     */
    public void enginePhases(Context parent, String model, double queueMs, double prefillMs, double decodeMs) {
        Instant now = Instant.now();
        long end = TimeUnit.SECONDS.toNanos(now.getEpochSecond()) + now.getNano();
        long decodeStart = end - millisToNanos(decodeMs);
        long prefillStart = decodeStart - millisToNanos(prefillMs);
        long queueStart = prefillStart - millisToNanos(queueMs);
        phase("starling.queue", parent, model, queueStart, prefillStart);
        phase("starling.prefill", parent, model, prefillStart, decodeStart);
        phase("starling.decode", parent, model, decodeStart, end);
    }

    /** Runs one pipeline stage inside its span. */
    public <T> T stage(String pipeline, String stage, Supplier<T> work) {
        Span span = startStage(pipeline, stage);
        try (Scope ignored = span.makeCurrent()) {
            return work.get();
        } catch (RuntimeException | Error e) {
            failed(span, e);
            throw e;
        } finally {
            span.end();
        }
    }

    /** A pipeline stage that completes later: its span runs from subscription to the Uni's end (or cancellation). */
    public <T> Uni<T> stageAsync(String pipeline, String stage, Supplier<Uni<T>> work) {
        return Uni.createFrom().deferred(() -> {
            Span span = startStage(pipeline, stage);
            Uni<T> uni;
            try (Scope ignored = span.makeCurrent()) {
                uni = work.get();
            } catch (RuntimeException e) {
                failed(span, e);
                span.end();
                throw e;
            }
            return uni.onTermination().invoke((item, failure, cancelled) -> {
                if (failure != null) {
                    failed(span, failure);
                }
                span.end();
            });
        });
    }

    private Span startStage(String pipeline, String stage) {
        return tracer.spanBuilder("pipeline." + stage).setAttribute(PIPELINE, pipeline).setAttribute(STAGE, stage)
                .startSpan();
    }

    private static void failed(Span span, Throwable failure) {
        span.recordException(failure);
        span.setStatus(StatusCode.ERROR, failure.getClass().getSimpleName());
    }

    private void phase(String name, Context parent, String model, long startNanos, long endNanos) {
        tracer.spanBuilder(name).setParent(parent).setAttribute(MODEL, model)
                .setStartTimestamp(startNanos, TimeUnit.NANOSECONDS).startSpan().end(endNanos, TimeUnit.NANOSECONDS);
    }

    private static long millisToNanos(double ms) {
        return Math.round(ms * 1e6);
    }
}
