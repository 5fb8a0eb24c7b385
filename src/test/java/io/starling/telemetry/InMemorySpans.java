package io.starling.telemetry;

import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.function.Predicate;

/**
 * The tests' span exporter: Quarkus hands every finished span to CDI {@code SpanExporter} beans, and with one present
 * {@link TraceSampling} records spans (and Quarkus installs no OTLP exporter), so no test talks to a collector.
 */
@ApplicationScoped
public class InMemorySpans {

    @Produces
    @Singleton
    InMemorySpanExporter exporter() {
        return InMemorySpanExporter.create();
    }

    /** The exported spans once {@code done} holds for them (spans arrive in batches, a few ms after they end). */
    public static List<SpanData> await(InMemorySpanExporter exporter, Predicate<List<SpanData>> done) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            List<SpanData> spans = exporter.getFinishedSpanItems();
            if (done.test(spans)) {
                return spans;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("spans did not arrive; got " + exporter.getFinishedSpanItems().stream()
                .map(s -> s.getName() + " " + s.getTraceId()).toList());
    }
}
