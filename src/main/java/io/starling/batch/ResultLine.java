package io.starling.batch;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.starling.api.inference.Ids;

/**
 * One line of the output file in OpenAI's batch output format. A request the server would have answered (with any
 * status, 4xx included) has a {@code response} whose {@code body} is exactly the server's JSON body, and
 * {@code error} null, as in OpenAI's output and error files. A line that is no request at all (not JSON, no or a
 * repeated {@code custom_id}, wrong method or url) has {@code response} null and {@code error} {code, message}:
 * OpenAI's shape for failures that are not HTTP errors.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ResultLine(String id, String customId, Response response, LineError error) {

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Response(int statusCode, String requestId, Object body) {
    }

    public record LineError(String code, String message) {
    }

    static ResultLine answered(String customId, int status, Object body) {
        return new ResultLine(Ids.of("batch_req_"), customId, new Response(status, Ids.of("req_"), body), null);
    }

    static ResultLine refused(String customId, String code, String message) {
        return new ResultLine(Ids.of("batch_req_"), customId, null, new LineError(code, message));
    }

    /** Whether the request was answered with 200. */
    boolean succeeded() {
        return response != null && response.statusCode() == 200;
    }
}
