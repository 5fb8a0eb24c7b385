package io.starling.api.inference;

import com.fasterxml.jackson.databind.JsonNode;
import io.starling.api.error.ApiException;
import java.util.ArrayList;
import java.util.List;

/** The {@code stop} field: absent, a string, or an array of strings. */
public final class StopField {

    public static final int MAX_STOPS = 16;

    private StopField() {
    }

    public static List<String> parse(JsonNode stop) {
        if (stop == null || stop.isNull() || stop.isMissingNode()) {
            return List.of();
        }
        if (stop.isTextual()) {
            return stop.textValue().isEmpty() ? List.of() : List.of(stop.textValue());
        }
        if (!stop.isArray() || stop.size() > MAX_STOPS) {
            throw ApiException.invalid("stop", "'stop' must be a string or an array of at most " + MAX_STOPS + " strings");
        }
        List<String> stops = new ArrayList<>(stop.size());
        for (JsonNode s : stop) {
            if (!s.isTextual()) {
                throw ApiException.invalid("stop", "'stop' must contain only strings, got " + s.getNodeType());
            }
            if (!s.textValue().isEmpty()) {
                stops.add(s.textValue());
            }
        }
        return stops;
    }
}
