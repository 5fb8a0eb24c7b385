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
 * {@code Authorization: Bearer <key>} on every {@code /v1/*} request when keys are configured; 401 with the OpenAI
 * error body otherwise. Health and metrics stay open: probes and scrapers carry no keys.
 */
@ApplicationScoped
public class ApiKeyFilter {

    /** Before the body limit and everything else: an unauthenticated client learns nothing, uploads nothing. */
    private static final int ORDER = Integer.MIN_VALUE + 10;
    private static final String BEARER = "Bearer ";

    private final ApiKeys keys;
    private final String missing;
    private final String invalid;

    ApiKeyFilter(StarlingConfig config, ObjectMapper mapper) throws JsonProcessingException {
        this.keys = ApiKeys.from(config.auth());
        this.missing = mapper.writeValueAsString(ErrorBody.of("You didn't provide an API key. Send it as "
                + "'Authorization: Bearer YOUR_KEY'.", "invalid_request_error", null, "missing_api_key"));
        this.invalid = mapper.writeValueAsString(ErrorBody.of("Incorrect API key provided.", "invalid_request_error",
                null, "invalid_api_key"));
    }

    void register(@Observes Router router) {
        if (!keys.required()) {
            return;
        }
        router.route("/v1/*").order(ORDER).handler(context -> {
            String header = context.request().getHeader(HttpHeaders.AUTHORIZATION);
            if (header != null && header.regionMatches(true, 0, BEARER, 0, BEARER.length())
                    && keys.accepts(header.substring(BEARER.length()).strip())) {
                context.next();
                return;
            }
            context.response().setStatusCode(401)
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .putHeader("WWW-Authenticate", "Bearer")
                    .end(header == null ? missing : invalid);
        });
    }
}
