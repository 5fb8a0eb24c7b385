package io.starling.api.error;

/**
 * A request Starling refuses, with everything the OpenAI error body needs: the HTTP status, the error
 * {@code type}, the offending {@code param} (null when no single field is at fault) and a machine-readable
 * {@code code}.
 */
public final class ApiException extends RuntimeException {

    private final int status;
    private final String type;
    private final String param;
    private final String code;
    private final long retryAfterSeconds;

    public ApiException(int status, String type, String param, String code, String message) {
        this(status, type, param, code, message, 0);
    }

    /** With {@code retryAfterSeconds} > 0 the response carries a Retry-After header. */
    public ApiException(int status, String type, String param, String code, String message, long retryAfterSeconds) {
        super(message);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /**
     * 429: the tenant's allowance is used up. With {@code retryAfterSeconds} > 0 the response carries Retry-After;
     * 0 means waiting would not help (the request alone is larger than the allowance).
     */
    public static ApiException rateLimited(String param, String message, long retryAfterSeconds) {
        return new ApiException(429, "rate_limit_error", param, "rate_limit_exceeded", message, retryAfterSeconds);
    }

    /** 400: a field is missing, of the wrong type or out of range. */
    public static ApiException invalid(String param, String message) {
        return new ApiException(400, "invalid_request_error", param, "invalid_value", message);
    }

    /** 400: a field Starling knows but cannot honour yet; never silently ignored. */
    public static ApiException unsupported(String param, String message) {
        return new ApiException(400, "invalid_request_error", param, "unsupported_parameter", message);
    }

    /** 400: prompt and requested tokens do not fit the model's context. */
    public static ApiException contextLengthExceeded(String param, int promptTokens, int maxTokens, int context) {
        return new ApiException(400, "invalid_request_error", param, "context_length_exceeded",
                "This model's maximum context length is " + context + " tokens. However, you requested "
                        + ((long) promptTokens + maxTokens) + " tokens (" + promptTokens + " in the prompt, " + maxTokens
                        + " for the completion). Please reduce the prompt or max_tokens.");
    }

    /** 404: the request names a model this server does not serve. */
    public static ApiException sessionNotFound(String sessionId) {
        return new ApiException(404, "invalid_request_error", "session_id", "session_not_found",
                "no open session with id '" + sessionId + "' (it may have expired or been closed)");
    }

    public static ApiException modelNotFound(String model) {
        return new ApiException(404, "invalid_request_error", "model", "model_not_found",
                "The model '" + model + "' does not exist or is not served here");
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String param() {
        return param;
    }

    public String code() {
        return code;
    }

    /** Seconds for the Retry-After header; 0: none. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
