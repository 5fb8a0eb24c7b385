package io.starling.batch;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;

/**
 * One non-blank line of an OpenAI Batch input file, {@code {"custom_id","method":"POST","url","body"}}, read as a
 * request or as the reason it is none. Request numbers count non-blank lines from 0 over the whole input, which is
 * what sharding, the progress journal and the final order go by.
 */
sealed interface BatchInput {

    long request();

    /** The line's custom_id, or null when it has none (or is not JSON). */
    String customId();

    /** {@code url} as the line gave it (a pipeline's name is its last part). */
    record Request(long request, String customId, Endpoint endpoint, String url, JsonNode body) implements BatchInput {
    }

    /** A line that names no request it is fair to run: answered by an error line, no model work. */
    record Invalid(long request, String customId, String code, String message) implements BatchInput {
    }

    /**
     * Reads the lines of one input in order. It sees every line, also those of other shards and those done before a
     * restart, so a repeated custom_id is found the same way however the input is split or resumed.
     */
    final class Reader {
        private final ObjectMapper mapper;
        /** custom_id → the file line that used it first. */
        private final Map<String, Long> seen = new HashMap<>();
        private long requests;

        Reader(ObjectMapper mapper) {
            this.mapper = mapper;
        }

        /** The next line as a request or an invalid line. */
        BatchInput read(JsonLines.Line line) {
            long request = requests++;
            JsonNode node;
            try {
                node = mapper.readTree(line.bytes());
            } catch (JacksonException e) {
                return new Invalid(request, null, "invalid_json_line",
                        "line " + line.number() + " is not valid JSON: " + e.getOriginalMessage());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (!node.isObject()) {
                return new Invalid(request, null, "invalid_json_line", "line " + line.number() + " is not a JSON object");
            }
            JsonNode id = node.get("custom_id");
            if (id == null || !id.isTextual() || id.textValue().isEmpty()) {
                return new Invalid(request, null, "missing_custom_id",
                        "line " + line.number() + " has no custom_id (a non-empty string)");
            }
            String customId = id.textValue();
            Long first = seen.putIfAbsent(customId, line.number());
            if (first != null) {
                return new Invalid(request, customId, "duplicate_custom_id",
                        "custom_id '" + customId + "' on line " + line.number() + " was already used on line " + first);
            }
            JsonNode method = node.get("method");
            if (method == null || !"POST".equals(method.textValue())) {
                return new Invalid(request, customId, "invalid_method",
                        "line " + line.number() + ": method must be \"POST\", got " + (method == null ? "nothing" : method));
            }
            JsonNode url = node.get("url");
            return Endpoint.of(url == null ? null : url.textValue())
                    .<BatchInput>map(endpoint -> new Request(request, customId, endpoint, url.textValue(), node.get("body")))
                    .orElseGet(() -> new Invalid(request, customId, "invalid_url", "line " + line.number()
                            + ": url must be /v1/chat/completions, /v1/completions, /v1/embeddings or /v1/pipelines/{name}, got "
                            + (url == null ? "nothing" : url)));
        }
    }
}
