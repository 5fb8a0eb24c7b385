package io.starling.api.error;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
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
import java.util.List;

/**
 * What a failure means to the client, framework-free: the status, OpenAI error type, param and code of every
 * exception a request can end with. The HTTP exception mappers and offline batch jobs both answer through it, so a
 * request fails the same way over HTTP and in a batch file.
 */
public final class ApiErrors {

    /** The message of a fault of the server itself; its details go to the log, not to the client. */
    public static final String SERVER_ERROR = "The server had an error while processing your request";

    private ApiErrors() {
    }

    /** {@code failure} as the error the client gets; anything not caused by the request is a 500 server_error. */
    public static ApiException of(Throwable failure) {
        return switch (failure) {
            case ApiException api -> api;
            case JsonParseException parse -> malformedJson(parse);
            case StreamConstraintsException limits -> malformedJson(limits);
            case JsonMappingException mapping -> wrongType(mapping);
            case JacksonException other -> wrongType(other);
            case QueueFullException q -> tooMany(q.getMessage(), "queue_full", q.retryAfterSeconds());
            case RequestTimeoutException t -> new ApiException(504, "timeout_error", null, "request_timeout", t.getMessage());
            case ModelUnavailableException m ->
                    new ApiException(503, "server_error", null, "model_not_ready", m.getMessage(), 1);
            case ModelNotFoundException m ->
                    new ApiException(404, "invalid_request_error", "model", "model_not_found", m.getMessage());
            // an admin change that contradicts what is deployed (the version exists already)
            case ModelConflictException c ->
                    new ApiException(409, "invalid_request_error", null, "model_conflict", c.getMessage());
            // a model version that does not fit starling.memory-budget-mb: refused before anything is mapped
            case MemoryBudget.BudgetExceededException b ->
                    new ApiException(409, "invalid_request_error", null, "memory_budget_exceeded", b.getMessage());
            case UnknownSessionException u ->
                    new ApiException(404, "invalid_request_error", "session_id", "session_not_found", u.getMessage());
            // a second turn while the first still runs: the client must wait for it (or cancel it)
            case SessionBusyException b ->
                    new ApiException(409, "invalid_request_error", "session_id", "session_busy", b.getMessage());
            // waiting helps only once a session is closed or expires, which the server cannot predict: no Retry-After
            case SessionLimitException l -> tooMany(l.getMessage(), "session_limit", 0);
            // a session's spilled cache could not be read back: every page is held by running requests
            case KvCacheFullException k -> tooMany(k.getMessage(), "kv_cache_full", 1);
            // a running request that could not get KV memory; Retry-After only if it may fit once others end
            case KvCacheExhaustedException k -> tooMany(k.getMessage(), "kv_cache_full", k.retryable() ? 1 : 0);
            // a chat template that rejects the conversation (roles out of order) or text it cannot take
            case TokenizerException t -> new ApiException(400, "invalid_request_error", null, "invalid_value", t.getMessage());
            // values the core rejects (a sampler setting out of range that slipped past the API's own checks)
            case IllegalArgumentException i ->
                    new ApiException(400, "invalid_request_error", null, "invalid_value", i.getMessage());
            default -> new ApiException(500, "server_error", null, null, SERVER_ERROR);
        };
    }

    /** Not JSON at all, invalid UTF-8, trailing garbage, nesting or numbers beyond Jackson's limits. */
    public static ApiException malformedJson(JacksonException e) {
        return new ApiException(400, "invalid_request_error", null, "invalid_json",
                "We could not parse the JSON body of your request: " + e.getOriginalMessage());
    }

    /** Valid JSON of the wrong shape: a string where a number belongs, a number too large for its field. */
    public static ApiException wrongType(JacksonException e) {
        if (e.getCause() instanceof JsonParseException parse) {
            // a syntax error met while binding a field is still a syntax error
            return malformedJson(parse);
        }
        String param = e instanceof JsonMappingException mapping ? path(mapping.getPath()) : null;
        String what = e instanceof MismatchedInputException mismatch ? expected(mismatch.getTargetType()) : null;
        if (param == null) {
            return new ApiException(400, "invalid_request_error", null, "invalid_type",
                    "The request body must be a JSON object of the endpoint's fields");
        }
        // in the client's terms where Jackson's own message names Java classes and coercion settings (its message
        // for a number out of range is plain enough)
        return new ApiException(400, "invalid_request_error", param, "invalid_type", "Invalid value for '" + param + "'"
                + (what != null ? ": expected " + what : ": " + e.getOriginalMessage()));
    }

    /** A field's Java type as a JSON client would name it, or null when there is no plain name for it. */
    static String expected(Class<?> type) {
        if (type == null) {
            return null;
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class
                || type == Short.class || type == short.class) {
            return "an integer";
        }
        if (type == Double.class || type == double.class || type == Float.class || type == float.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type.isArray() || java.util.Collection.class.isAssignableFrom(type)) {
            return "an array";
        }
        if (type.isRecord() || java.util.Map.class.isAssignableFrom(type)) {
            return "a JSON object";
        }
        return null;
    }

    /** 429 with {@code Retry-After} when waiting that many seconds may help ({@code retryAfterSeconds > 0}). */
    private static ApiException tooMany(String message, String code, long retryAfterSeconds) {
        return new ApiException(429, "rate_limit_error", null, code, message, retryAfterSeconds);
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
