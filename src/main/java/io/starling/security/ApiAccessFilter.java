package io.starling.security;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.starling.api.error.ErrorBody;
import io.starling.config.StarlingConfig;
import io.starling.telemetry.RequestRecord;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Names the tenant of every {@code /v1/*} request — its API key's id, or the client address on an open server —
 * for the rate limits and the access log. When keys are configured, {@code Authorization: Bearer <key>} is required
 * (401 with the OpenAI error body otherwise); then the tenant's request rate is checked (429 with Retry-After).
 * Health and metrics stay open: probes and scrapers carry no keys.
 */
@ApplicationScoped
public class ApiAccessFilter {

    /** Before the body limit and everything else but telemetry: an unauthenticated client uploads nothing. */
    private static final int ORDER = Integer.MIN_VALUE + 10;

    private final ApiKeys keys;
    private final PerMinuteLimiter requests;
    private final String missing;
    private final String invalid;
    private final String rateLimited;

    ApiAccessFilter(StarlingConfig config, ObjectMapper mapper) throws JsonProcessingException {
        this.keys = ApiKeys.from(config.auth());
        this.requests = new PerMinuteLimiter(config.rateLimits().requestsPerMinute());
        this.rateLimited = mapper.writeValueAsString(ErrorBody.of("Rate limit reached: "
                + config.rateLimits().requestsPerMinute() + " requests per minute (starling.rate-limits.requests-per-minute)",
                "rate_limit_error", null, "rate_limit_exceeded"));
        this.missing = mapper.writeValueAsString(ErrorBody.of("You didn't provide an API key. Send it as "
                + "'Authorization: Bearer YOUR_KEY'.", "invalid_request_error", null, "missing_api_key"));
        this.invalid = mapper.writeValueAsString(ErrorBody.of("Incorrect API key provided.", "invalid_request_error",
                null, "invalid_api_key"));
    }

    /**
     * Whether requests carry an identity (API keys are configured). On an open server the tenant is the client's
     * address, which is no owner: what must belong to someone (batch files and batches) then belongs to everyone.
     */
    public boolean identifiesTenants() {
        return keys.required();
    }

    void register(@Observes Router router) {
        router.route("/v1/*").order(ORDER).handler(this::handle);
    }

    private void handle(RoutingContext context) {
        String tenant;
        if (keys.required()) {
            String header = context.request().getHeader(HttpHeaders.AUTHORIZATION);
            String key = ApiKeys.bearerKey(header);
            tenant = key == null ? null : keys.idOf(key);
            if (tenant == null) {
                context.response().setStatusCode(401)
                        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                        .putHeader("WWW-Authenticate", "Bearer")
                        .end(header == null ? missing : invalid);
                return;
            }
        } else {
            var address = context.request().remoteAddress();
            tenant = "address-" + (address != null ? address.hostAddress() : "unknown");
        }
        RequestRecord.of(context).tenant(tenant);
        long retryAfter = requests.enabled() ? requests.acquire(tenant, 1, System.nanoTime()) : 0;
        if (retryAfter > 0) {
            context.response().setStatusCode(429)
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .putHeader("Retry-After", Long.toString(retryAfter))
                    .end(rateLimited);
            return;
        }
        context.next();
    }
}
