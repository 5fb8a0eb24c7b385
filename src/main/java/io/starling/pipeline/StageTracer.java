package io.starling.pipeline;

import io.smallrye.mutiny.Uni;
import java.util.function.Supplier;

/** Wraps each stage of a pipeline run, e.g. in a trace span (the server passes its OpenTelemetry spans). */
public interface StageTracer {

    StageTracer NONE = new StageTracer() {
        @Override
        public <T> Uni<T> stage(String pipeline, String stage, Supplier<Uni<T>> work) {
            return Uni.createFrom().deferred(work::get);
        }
    };

    /** {@code work}, started on subscription, traced from then until it ends. */
    <T> Uni<T> stage(String pipeline, String stage, Supplier<Uni<T>> work);
}
