package io.starling.security;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.starling.api.error.ErrorBody;
import io.starling.config.StarlingConfig;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Guards the admin API ({@code /admin/*}) with its own keys, never the user keys: no key 401, a user key 403, an
 * unknown key 401. With no admin keys configured the admin API is disabled: every call is 403
 * {@code admin_disabled}, saying how to enable it (403 rather than 404, so a misconfiguration is not mistaken for a
 * wrong URL).
 */
@ApplicationScoped
public class AdminAccessFilter {

    private static final int ORDER = Integer.MIN_VALUE + 10;

    private final ApiKeys adminKeys;
    private final ApiKeys userKeys;
    private final String disabled;
    private final String missing;
    private final String invalid;
    private final String userKey;

    AdminAccessFilter(StarlingConfig config, ObjectMapper mapper) throws JsonProcessingException {
        this.adminKeys = ApiKeys.adminFrom(config.auth());
        this.userKeys = ApiKeys.usersFrom(config.auth());
        this.disabled = mapper.writeValueAsString(ErrorBody.of("The admin API is disabled: no admin keys are configured "
                + "(starling.auth.admin-keys / STARLING_AUTH_ADMIN_KEYS or starling.auth.admin-keys-file).",
                "permission_error", null, "admin_disabled"));
        this.missing = mapper.writeValueAsString(ErrorBody.of("The admin API needs an admin key. Send it as "
                + "'Authorization: Bearer YOUR_ADMIN_KEY'.", "invalid_request_error", null, "missing_api_key"));
        this.invalid = mapper.writeValueAsString(ErrorBody.of("Incorrect admin key provided.", "invalid_request_error",
                null, "invalid_api_key"));
        this.userKey = mapper.writeValueAsString(ErrorBody.of("This is an API key, not an admin key: the admin API "
                + "accepts only the keys of starling.auth.admin-keys.", "permission_error", null, "admin_key_required"));
    }

    void register(@Observes Router router) {
        router.route("/admin/*").order(ORDER).handler(this::handle);
    }

    private void handle(RoutingContext context) {
        if (!adminKeys.required()) {
            refuse(context, 403, disabled);
            return;
        }
        String header = context.request().getHeader(HttpHeaders.AUTHORIZATION);
        String key = ApiKeys.bearerKey(header);
        if (key == null) {
            context.response().putHeader("WWW-Authenticate", "Bearer");
            refuse(context, 401, header == null ? missing : invalid);
        } else if (adminKeys.accepts(key)) {
            context.next();
        } else if (userKeys.accepts(key)) {
            refuse(context, 403, userKey);
        } else {
            context.response().putHeader("WWW-Authenticate", "Bearer");
            refuse(context, 401, invalid);
        }
    }

    private static void refuse(RoutingContext context, int status, String body) {
        context.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body);
    }
}
