package io.starling.api.health;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.starling.api.error.ErrorBody;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * Drains the server on SIGTERM. Quarkus starts its graceful shutdown with the pre-shutdown phase
 * ({@code quarkus.shutdown.delay-enabled}), which turns {@code /ready} DOWN and fires
 * {@link ShutdownDelayInitiatedEvent}; from then on every new {@code /v1/*} request is refused here with 503, so a
 * client retries on another replica, while requests and streams already admitted run on: Quarkus waits for them up to
 * {@code starling.server.drain-timeout} ({@code quarkus.shutdown.timeout}) before the engine stops.
 * (Quarkus' own shutdown filter keeps accepting new requests, so it cannot do this part.)
 */
@ApplicationScoped
public class ShutdownDrain {

    private static final Logger LOG = Logger.getLogger(ShutdownDrain.class);
    /** Before authentication and everything else: a draining replica does no work for a new request. */
    private static final int ORDER = Integer.MIN_VALUE + 5;

    private final String refusal;
    private volatile boolean draining;

    ShutdownDrain(ObjectMapper mapper) throws JsonProcessingException {
        this.refusal = mapper.writeValueAsString(ErrorBody.of(
                "This Starling replica is shutting down and takes no new requests; retry, another replica will answer.",
                "server_error", null, "server_shutting_down"));
    }

    void register(@Observes Router router) {
        router.route("/v1/*").order(ORDER).handler(this::handle);
    }

    void onShutdownStarted(@Observes ShutdownDelayInitiatedEvent event) {
        draining = true;
        LOG.info("Shutting down: new requests are refused with 503 while admitted ones finish");
    }

    private void handle(RoutingContext context) {
        if (!draining) {
            context.next();
            return;
        }
        context.response().setStatusCode(503)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader("Retry-After", "1")
                .putHeader(HttpHeaders.CONNECTION, "close")
                .end(refusal);
    }
}
