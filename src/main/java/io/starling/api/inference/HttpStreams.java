package io.starling.api.inference;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.starling.api.error.ErrorBody;
import io.starling.engine.KvCacheExhaustedException;
import io.starling.engine.QueueFullException;
import io.starling.engine.RequestTimeoutException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import org.jboss.resteasy.reactive.RestMulti;

/**
 * The two shapes an OpenAI endpoint answers in, from one resource method: a single JSON document, or server-sent
 * events {@code data: {chunk}} … {@code data: [DONE]}. Both are a {@code Multi<String>} so the choice can follow
 * the request's {@code stream} flag; a failure before the first byte still goes through the exception mappers.
 */
public final class HttpStreams {

    private HttpStreams() {
    }

    /**
     * One JSON document, written when {@code body} completes. Status and headers wait for it too, so a failure
     * (timeout, engine error) still becomes a proper error response through the exception mappers.
     */
    public static RestMulti<String> json(Uni<String> body) {
        return RestMulti.fromUniResponse(body, json -> Multi.createFrom().item(json),
                json -> Map.of("Content-Type", List.of("application/json")), json -> 200);
    }

    /**
     * An SSE stream of already serialised JSON events, ended by {@code data: [DONE]}. Once the stream has started
     * (status 200 sent) a failure can only be reported in-band: an {@code error} event, as OpenAI does.
     */
    public static RestMulti<String> sse(Multi<String> events, ObjectMapper mapper, boolean done) {
        Multi<String> framed = events.map(HttpStreams::frame);
        if (done) {
            framed = Multi.createBy().concatenating().streams(framed, Multi.createFrom().item(frame("[DONE]")));
        }
        framed = framed.onFailure().recoverWithItem(error -> frame(write(mapper, inBandError(error))));
        return RestMulti.fromMultiData(framed).encodeAsJsonArray(false)
                .header("Content-Type", "text/event-stream")
                .header("Cache-Control", "no-cache")
                .header("X-Accel-Buffering", "no")
                .build();
    }

    public static String write(ObjectMapper mapper, Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Quarkus' streaming writer ends every item with a newline, which completes the blank line an event needs. */
    private static String frame(String json) {
        return "data: " + json + "\n";
    }

    private static ErrorBody inBandError(Throwable error) {
        return switch (error) {
            case RequestTimeoutException t -> ErrorBody.of(t.getMessage(), "timeout_error", null, "request_timeout");
            case QueueFullException q -> ErrorBody.of(q.getMessage(), "rate_limit_error", null, "queue_full");
            case KvCacheExhaustedException k -> ErrorBody.of(k.getMessage(), "rate_limit_error", null, "kv_cache_full");
            default -> {
                Log.errorf(error, "stream failed");
                yield ErrorBody.of("The server had an error while processing your request", "server_error", null, null);
            }
        };
    }
}
