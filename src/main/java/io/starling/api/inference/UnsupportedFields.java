package io.starling.api.inference;

import com.fasterxml.jackson.databind.JsonNode;
import io.starling.api.error.ApiException;

/**
 * Fields Starling recognises but cannot honour yet. Silently ignoring {@code tools} or a JSON schema would hand a
 * client output it did not ask for, so each is a 400 that names it; the neutral values (no tools, text format,
 * empty bias) pass.
 */
public final class UnsupportedFields {

    private UnsupportedFields() {
    }

    public static void reject(String param, JsonNode value, String why) {
        if (present(value)) {
            throw ApiException.unsupported(param, "'" + param + "' is not supported by this server yet: " + why);
        }
    }

    public static void rejectUnlessEmptyObject(String param, JsonNode value, String why) {
        if (present(value) && !(value.isObject() && value.isEmpty())) {
            reject(param, value, why);
        }
    }

    /** {@code response_format}: only {@code {"type":"text"}}; json_object and json_schema need constrained decoding. */
    public static void responseFormat(JsonNode value) {
        if (!present(value)) {
            return;
        }
        JsonNode type = value.get("type");
        if (!value.isObject() || type == null || !type.isTextual()) {
            throw ApiException.invalid("response_format", "'response_format' must be an object with a 'type'");
        }
        if (!"text".equals(type.textValue())) {
            throw ApiException.unsupported("response_format", "response_format type '" + type.textValue()
                    + "' is not supported by this server yet (constrained JSON decoding is not implemented); use 'text'");
        }
    }

    /** {@code tool_choice} "none" asks for nothing; anything else needs tool calling. */
    public static void toolChoice(JsonNode value) {
        if (present(value) && !(value.isTextual() && "none".equals(value.textValue()))) {
            reject("tool_choice", value, "tool calling is not implemented");
        }
    }

    private static boolean present(JsonNode value) {
        return value != null && !value.isNull() && !value.isMissingNode();
    }
}
