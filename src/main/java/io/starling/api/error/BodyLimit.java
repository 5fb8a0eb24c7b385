package io.starling.api.error;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.starling.config.StarlingConfig;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Answers a request whose declared body exceeds {@code starling.server.max-body-bytes} with 413 and the OpenAI error
 * body. Quarkus' own limit ({@code quarkus.http.limits.max-body-size}, set from the same key) answers 413 with an
 * empty body and closes the connection mid-upload, which clients report as a broken pipe; this runs before it,
 * reads the upload to its end without keeping it, and then replies. Chunked uploads without a length still meet
 * Quarkus' limit.
 */
@ApplicationScoped
public class BodyLimit {

    /** Before Quarkus' upload-limit route. */
    private static final int ORDER = Integer.MIN_VALUE + 100;

    private final long maxBytes;
    private final String body;

    BodyLimit(StarlingConfig config, ObjectMapper mapper) throws JsonProcessingException {
        this.maxBytes = config.server().maxBodyBytes();
        this.body = mapper.writeValueAsString(ErrorBody.of("The request body is larger than this server accepts ("
                + maxBytes + " bytes, starling.server.max-body-bytes)", "invalid_request_error", null, "request_too_large"));
    }

    void register(@Observes Router router) {
        router.route().order(ORDER).handler(context -> {
            HttpServerRequest request = context.request();
            String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
            if (length == null || !tooLarge(length)) {
                context.next();
                return;
            }
            request.handler(ignored -> { });
            request.endHandler(ignored -> context.response()
                    .setStatusCode(413)
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .putHeader(HttpHeaders.CONNECTION, "close")
                    .end(body));
            request.resume();
        });
    }

    private boolean tooLarge(String length) {
        try {
            return Long.parseLong(length.trim()) > maxBytes;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
