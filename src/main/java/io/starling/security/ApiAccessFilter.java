package io.starling.security;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.starling.api.error.ErrorBody;
import io.starling.config.StarlingConfig;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * {@code Authorization: Bearer <key>} on every {@code /v1/*} request when keys are configured (401 with the OpenAI
 * error body otherwise), then the tenant's request rate (429 with Retry-After). Health and metrics stay open:
 * probes and scrapers carry no keys.
 */
@ApplicationScoped
public class ApiAccessFilter {

    /** Before the body limit and everything else: an unauthenticated client learns nothing, uploads nothing. */
    private static final int ORDER = Integer.MIN_VALUE + 10;
    private static final String BEARER = "Bearer ";

    private final ApiKeys keys;
    private final RequestRateLimiter rateLimiter;
    private final String missing;
    private final String invalid;
    private final String rateLimited;

    ApiAccessFilter(StarlingConfig config, ObjectMapper mapper) throws JsonProcessingException {
        this.keys = ApiKeys.from(config.auth());
        this.rateLimiter = new RequestRateLimiter(config.rateLimits().requestsPerMinute());
        this.rateLimited = mapper.writeValueAsString(ErrorBody.of("Rate limit reached: "
                + config.rateLimits().requestsPerMinute() + " requests per minute (starling.rate-limits.requests-per-minute)",
                "rate_limit_error", null, "rate_limit_exceeded"));
        this.missing = mapper.writeValueAsString(ErrorBody.of("You didn't provide an API key. Send it as "
                + "'Authorization: Bearer YOUR_KEY'.", "invalid_request_error", null, "missing_api_key"));
        this.invalid = mapper.writeValueAsString(ErrorBody.of("Incorrect API key provided.", "invalid_request_error",
                null, "invalid_api_key"));
    }

    void register(@Observes Router router) {
        if (!keys.required() && !rateLimiter.enabled()) {
            return;
        }
        router.route("/v1/*").order(ORDER).handler(context -> {
            String header = context.request().getHeader(HttpHeaders.AUTHORIZATION);
            String tenant;
            if (keys.required()) {
                String key = header != null && header.regionMatches(true, 0, BEARER, 0, BEARER.length())
                        ? header.substring(BEARER.length()).strip() : null;
                if (key == null || !keys.accepts(key)) {
                    context.response().setStatusCode(401)
                            .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                            .putHeader("WWW-Authenticate", "Bearer")
                            .end(header == null ? missing : invalid);
                    return;
                }
                tenant = "key:" + key;
            } else {
                tenant = "address:" + context.request().remoteAddress().hostAddress();
            }
            long retryAfter = rateLimiter.enabled() ? rateLimiter.acquire(tenant, System.nanoTime()) : 0;
            if (retryAfter > 0) {
                context.response().setStatusCode(429)
                        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                        .putHeader("Retry-After", Long.toString(retryAfter))
                        .end(rateLimited);
                return;
            }
            context.next();
        });
    }
}
