package io.starling.pipeline;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.starling.engine.ModelText;
import java.io.IOException;
import java.util.regex.Matcher;

/**
 * {@code extract}: a value cut from the text, which it then replaces (empty when nothing was found, and the output
 * says {@code found: false}): either the field at a dotted path of the first JSON object in the text (models wrap
 * JSON in prose or code fences; a string field gives its text, any other value its JSON), or a regex group of the
 * first match.
 */
final class ExtractStage implements Stage.EachInput {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final StageSpec.Extract spec;

    ExtractStage(StageSpec.Extract spec) {
        this.spec = spec;
    }

    @Override
    public StageResult apply(Carry carry, ModelText.Text text) {
        String value = spec.regex() != null ? group(carry.text()) : field(carry.text());
        return new StageResult(new StageOutputs.Extracted(value, value != null), value == null ? "" : value, null,
                null, 0, 0);
    }

    private String group(String text) {
        Matcher matcher = spec.regex().matcher(text);
        return matcher.find() ? matcher.group(spec.group()) : null;
    }

    /** The field in the first '{' from which a JSON object parses; null if none has it. */
    private String field(String text) {
        for (int start = text.indexOf('{'); start >= 0; start = text.indexOf('{', start + 1)) {
            JsonNode node;
            try (JsonParser parser = JSON.createParser(text.substring(start))) {
                node = parser.readValueAsTree();
            } catch (IOException e) {
                continue;
            }
            if (node != null && node.isObject()) {
                JsonNode value = node;
                for (String step : spec.jsonField().split("\\.")) {
                    value = value.path(step);
                }
                if (value.isMissingNode() || value.isNull()) {
                    return null;
                }
                return value.isTextual() ? value.textValue() : value.toString();
            }
        }
        return null;
    }
}
