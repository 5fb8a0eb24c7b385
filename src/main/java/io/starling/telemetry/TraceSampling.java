package io.starling.telemetry;

import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Optional;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

/**
 * Whether spans are recorded: only when something will export them. Quarkus' OTLP exporter is always built in and
 * points at {@code localhost:4317} unless told otherwise, and its endpoint cannot be unset at run time; so instead
 * of exporting to nowhere (a connection attempt and an error log per batch), nothing is sampled until an OTLP
 * endpoint is configured ({@code quarkus.otel.exporter.otlp.endpoint} or {@code ...traces.endpoint}) or an
 * application {@link SpanExporter} bean exists (the tests' in-memory exporter). Unsampled spans still carry trace
 * and span ids, so logs and propagated {@code traceparent} headers keep them either way.
 *
 * <p>This bean replaces {@code quarkus.otel.traces.sampler}: when exporting, sampling is parent-based always-on
 * (a caller's "not sampled" decision is respected, every other request is recorded).
 */
@ApplicationScoped
public class TraceSampling {

    private static final Logger LOG = Logger.getLogger(TraceSampling.class);
    static final String OTLP_ENDPOINT = "quarkus.otel.exporter.otlp.endpoint";
    static final String OTLP_TRACES_ENDPOINT = "quarkus.otel.exporter.otlp.traces.endpoint";
    /**
     * Quarkus' default endpoint, which every config lookup returns when nothing is set; Quarkus itself treats this
     * exact value as unset. A collector on the pod's loopback is written without the slash (or as 127.0.0.1).
     */
    static final String DEFAULT_ENDPOINT = "http://localhost:4317/";

    @Produces
    @Singleton
    Sampler sampler(Config config, @Any Instance<SpanExporter> exporters) {
        Optional<String> endpoint = configured(config, OTLP_TRACES_ENDPOINT).or(() -> configured(config, OTLP_ENDPOINT));
        if (endpoint.isPresent()) {
            LOG.infof("Traces are exported over OTLP to %s", endpoint.get());
            return Sampler.parentBased(Sampler.alwaysOn());
        }
        if (!exporters.isUnsatisfied()) {
            return Sampler.parentBased(Sampler.alwaysOn());
        }
        return Sampler.alwaysOff();
    }

    private static Optional<String> configured(Config config, String key) {
        return config.getOptionalValue(key, String.class).map(String::trim)
                .filter(e -> !e.isEmpty() && !e.equals(DEFAULT_ENDPOINT));
    }
}
