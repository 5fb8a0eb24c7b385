package io.starling.api.error;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.quarkus.logging.Log;
import io.starling.engine.KvCacheExhaustedException;
import io.starling.engine.ModelUnavailableException;
import io.starling.engine.QueueFullException;
import io.starling.engine.RequestTimeoutException;
import io.starling.kv.KvCacheFullException;
import io.starling.registry.MemoryBudget;
import io.starling.registry.ModelConflictException;
import io.starling.registry.ModelNotFoundException;
import io.starling.session.SessionBusyException;
import io.starling.session.SessionLimitException;
import io.starling.session.UnknownSessionException;
import io.starling.tokenizer.TokenizerException;
import io.vertx.core.http.HttpClosedException;
import java.io.IOException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Every failure becomes the one OpenAI error body with the right status. Anything a client can cause (bad JSON,
 * wrong types, bad values, unknown routes) is a 4xx; only a fault of the server itself is a 5xx. What each
 * exception means is decided in {@link ApiErrors}, which offline batch jobs share; this class only writes it as
 * an HTTP response.
 */
public class ErrorMappers {

    private static final String TOO_LARGE = "The request body is larger than the server accepts (starling.server.max-body-bytes)";

    @ServerExceptionMapper
    public Response api(ApiException e) {
        Response response = body(e.status(), e.getMessage(), e.type(), e.param(), e.code());
        return e.retryAfterSeconds() > 0
                ? Response.fromResponse(response).header("Retry-After", e.retryAfterSeconds()).build()
                : response;
    }

    @ServerExceptionMapper({QueueFullException.class, RequestTimeoutException.class, ModelUnavailableException.class,
            UnknownSessionException.class, SessionBusyException.class, SessionLimitException.class,
            KvCacheFullException.class, KvCacheExhaustedException.class, TokenizerException.class,
            IllegalArgumentException.class, ModelNotFoundException.class, ModelConflictException.class,
            MemoryBudget.BudgetExceededException.class})
    public Response known(Exception e) {
        return api(ApiErrors.of(e));
    }

    /** Not JSON at all, invalid UTF-8, trailing garbage, nesting or numbers beyond Jackson's limits. */
    @ServerExceptionMapper({JsonParseException.class, StreamConstraintsException.class})
    public Response malformed(JacksonException e) {
        return api(ApiErrors.malformedJson(e));
    }

    /** Valid JSON of the wrong shape: a string where a number belongs, a number too large for its field. */
    @ServerExceptionMapper({MismatchedInputException.class, InputCoercionException.class, JsonMappingException.class})
    public Response wrongType(JacksonException e) {
        return api(ApiErrors.wrongType(e));
    }

    /** Routing and content negotiation: 404 unknown route, 405, 406, 413, 415 keep their status. */
    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        // the JSON reader wraps Jackson's complaint in a 400; unwrap it so the body says what was wrong
        if (e.getCause() instanceof JsonParseException || e.getCause() instanceof StreamConstraintsException) {
            return malformed((JacksonException) e.getCause());
        }
        if (e.getCause() instanceof JacksonException jackson) {
            return wrongType(jackson);
        }
        int status = e.getResponse().getStatus();
        String message = switch (status) {
            case 404 -> "Unknown route; see /v1/models, /v1/chat/completions, /v1/completions, /v1/embeddings";
            case 405 -> "Method not allowed on this route";
            case 413 -> TOO_LARGE;
            case 415 -> "Send the body as application/json";
            default -> e.getMessage();
        };
        String type = status >= 500 ? "server_error" : "invalid_request_error";
        if (status >= 500) {
            Log.errorf(e, "request failed");
        }
        return body(status, message, type, null, null);
    }

    /**
     * Reading the body failed. When the client closed its connection before the body was complete, nobody is left to
     * answer and the fault is not the server's: a 400 (counted as a client error, logged at debug), not a 500 that
     * would page someone. Any other I/O failure is the server's.
     */
    @ServerExceptionMapper({IOException.class, HttpClosedException.class})
    public Response io(Exception e) {
        if (clientClosed(e)) {
            Log.debugf("the client closed its connection before its request body was complete: %s", e.getMessage());
            return body(400, "The connection closed before the request body was complete", "invalid_request_error",
                    null, "incomplete_body");
        }
        // RESTEasy's body reader (VertxInputStream) says so in these words: a client that stopped sending its body,
        // and a chunked body (no length to refuse up front) past the limit. Both the client's doing.
        String message = e.getMessage() == null ? "" : e.getMessage().strip();
        if (message.equals("Read timed out")) {
            Log.debugf("the client stopped sending its request body");
            return body(408, "The request body did not arrive in time", "invalid_request_error", null, "body_timeout");
        }
        if (message.equals("Request too large")) {
            Log.debugf("a chunked request body passed the body limit");
            return body(413, TOO_LARGE, "invalid_request_error", null, "request_too_large");
        }
        return unexpected(e);
    }

    static boolean clientClosed(Throwable e) {
        // a few causes deep at most: Vert.x's exception wrapped once or twice by the body reader
        Throwable t = e;
        for (int depth = 0; t != null && depth < 8; depth++, t = t.getCause()) {
            if (t instanceof HttpClosedException) {
                return true;
            }
        }
        return false;
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        Log.errorf(e, "unexpected server error");
        return api(ApiErrors.of(e));
    }

    public static Response body(int status, String message, String type, String param, String code) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(ErrorBody.of(message, type, param, code)).build();
    }
}
