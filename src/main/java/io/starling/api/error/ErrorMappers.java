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
import io.starling.registry.MemoryBudget;
import io.starling.registry.ModelConflictException;
import io.starling.registry.ModelNotFoundException;
import io.starling.engine.QueueFullException;
import io.starling.engine.RequestTimeoutException;
import io.starling.kv.KvCacheFullException;
import io.starling.session.SessionBusyException;
import io.starling.session.SessionLimitException;
import io.starling.session.UnknownSessionException;
import io.starling.tokenizer.TokenizerException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Every failure becomes the one OpenAI error body with the right status. Anything a client can cause (bad JSON,
 * wrong types, bad values, unknown routes) is a 4xx; only a fault of the server itself is a 5xx.
 */
public class ErrorMappers {

    @ServerExceptionMapper
    public Response api(ApiException e) {
        Response response = body(e.status(), e.getMessage(), e.type(), e.param(), e.code());
        return e.retryAfterSeconds() > 0
                ? Response.fromResponse(response).header("Retry-After", e.retryAfterSeconds()).build()
                : response;
    }

    @ServerExceptionMapper
    public Response queueFull(QueueFullException e) {
        return tooMany(e.getMessage(), "queue_full", e.retryAfterSeconds());
    }

    @ServerExceptionMapper
    public Response timeout(RequestTimeoutException e) {
        return body(504, e.getMessage(), "timeout_error", null, "request_timeout");
    }

    @ServerExceptionMapper
    public Response notReady(ModelUnavailableException e) {
        return Response.fromResponse(body(503, e.getMessage(), "server_error", null, "model_not_ready"))
                .header("Retry-After", 1).build();
    }

    @ServerExceptionMapper
    public Response unknownModel(ModelNotFoundException e) {
        return body(404, e.getMessage(), "invalid_request_error", "model", "model_not_found");
    }

    /** An admin change that contradicts what is deployed (the version exists already). */
    @ServerExceptionMapper
    public Response conflict(ModelConflictException e) {
        return body(409, e.getMessage(), "invalid_request_error", null, "model_conflict");
    }

    /** A model version that does not fit {@code starling.memory-budget-mb}: refused before anything is mapped. */
    @ServerExceptionMapper
    public Response overBudget(MemoryBudget.BudgetExceededException e) {
        return body(409, e.getMessage(), "invalid_request_error", null, "memory_budget_exceeded");
    }

    @ServerExceptionMapper
    public Response unknownSession(UnknownSessionException e) {
        return body(404, e.getMessage(), "invalid_request_error", "session_id", "session_not_found");
    }

    /** A second turn while the first still runs: the client must wait for it (or cancel it). */
    @ServerExceptionMapper
    public Response sessionBusy(SessionBusyException e) {
        return body(409, e.getMessage(), "invalid_request_error", "session_id", "session_busy");
    }

    /** Waiting helps only once a session is closed or expires, which the server cannot predict: no Retry-After. */
    @ServerExceptionMapper
    public Response sessionLimit(SessionLimitException e) {
        return tooMany(e.getMessage(), "session_limit", 0);
    }

    /** A session's spilled cache could not be read back: every page is held by running requests. */
    @ServerExceptionMapper
    public Response kvFull(KvCacheFullException e) {
        return tooMany(e.getMessage(), "kv_cache_full", 1);
    }

    /** A running request that could not get KV memory; with Retry-After only if it may fit once others end. */
    @ServerExceptionMapper
    public Response kvExhausted(KvCacheExhaustedException e) {
        return tooMany(e.getMessage(), "kv_cache_full", e.retryable() ? 1 : 0);
    }

    /** 429 with {@code Retry-After} when waiting that many seconds may help ({@code retryAfterSeconds > 0}). */
    private static Response tooMany(String message, String code, long retryAfterSeconds) {
        Response response = body(429, message, "rate_limit_error", null, code);
        return retryAfterSeconds > 0
                ? Response.fromResponse(response).header("Retry-After", retryAfterSeconds).build()
                : response;
    }

    /** Not JSON at all, invalid UTF-8, trailing garbage, nesting or numbers beyond Jackson's limits. */
    @ServerExceptionMapper({JsonParseException.class, StreamConstraintsException.class})
    public Response malformed(JacksonException e) {
        return body(400, "We could not parse the JSON body of your request: " + e.getOriginalMessage(),
                "invalid_request_error", null, "invalid_json");
    }

    /** Valid JSON of the wrong shape: a string where a number belongs, a number too large for its field. */
    @ServerExceptionMapper({MismatchedInputException.class, InputCoercionException.class, JsonMappingException.class})
    public Response wrongType(JacksonException e) {
        if (e.getCause() instanceof JsonParseException parse) {
            // a syntax error met while binding a field is still a syntax error
            return malformed(parse);
        }
        String param = e instanceof JsonMappingException mapping ? path(mapping.getPath()) : null;
        return body(400, "Invalid value" + (param != null ? " for '" + param + "'" : "") + ": " + e.getOriginalMessage(),
                "invalid_request_error", param, "invalid_type");
    }

    /** A chat template that rejects the conversation (roles out of order) or text it cannot take. */
    @ServerExceptionMapper
    public Response tokenizer(TokenizerException e) {
        return body(400, e.getMessage(), "invalid_request_error", null, "invalid_value");
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
            case 413 -> "The request body is larger than the server accepts (starling.server.max-body-bytes)";
            case 415 -> "Send the body as application/json";
            default -> e.getMessage();
        };
        String type = status >= 500 ? "server_error" : "invalid_request_error";
        if (status >= 500) {
            Log.errorf(e, "request failed");
        }
        return body(status, message, type, null, null);
    }

    /** Values the core rejects (a sampler setting out of range that slipped past the API's own checks). */
    @ServerExceptionMapper
    public Response illegalArgument(IllegalArgumentException e) {
        return body(400, e.getMessage(), "invalid_request_error", null, "invalid_value");
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        Log.errorf(e, "unexpected server error");
        return body(500, "The server had an error while processing your request", "server_error", null, null);
    }

    public static Response body(int status, String message, String type, String param, String code) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(ErrorBody.of(message, type, param, code)).build();
    }

    /** Jackson's path as the OpenAI param: {@code messages[0].content}. */
    static String path(List<JsonMappingException.Reference> references) {
        StringBuilder out = new StringBuilder();
        for (JsonMappingException.Reference ref : references) {
            if (ref.getFieldName() != null) {
                out.append(out.isEmpty() ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                out.append('[').append(ref.getIndex()).append(']');
            }
        }
        return out.isEmpty() ? null : out.toString();
    }
}
