package io.starling.telemetry;

import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.regex.Pattern;

/**
 * Counts and times every API request at the HTTP layer, where the real end of a stream (its last byte, or the
 * client going away) is visible. The endpoint label is the route template, so ids in paths and unknown paths
 * cannot blow up the number of series.
 */
@ApplicationScoped
public class RequestMetrics {

    private static final Pattern MODEL_PATH = Pattern.compile("/v1/models/[^/]+");
    private static final java.util.Set<String> ROUTES = java.util.Set.of("/v1/chat/completions", "/v1/completions",
            "/v1/embeddings", "/v1/models", "/v1/tokenize", "/v1/detokenize", "/v1/generate");

    private final StarlingMetrics metrics;

    RequestMetrics(StarlingMetrics metrics) {
        this.metrics = metrics;
    }

    void register(@Observes Router router) {
        router.route("/v1/*").order(Integer.MIN_VALUE + 50).handler(context -> {
            long start = System.nanoTime();
            String endpoint = endpoint(context.normalizedPath());
            context.addEndHandler(ignored -> metrics.request(endpoint, context.response().getStatusCode(),
                    System.nanoTime() - start));
            context.next();
        });
    }

    static String endpoint(String path) {
        String trimmed = path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path;
        if (ROUTES.contains(trimmed)) {
            return trimmed;
        }
        return MODEL_PATH.matcher(trimmed).matches() ? "/v1/models/{id}" : "other";
    }
}
