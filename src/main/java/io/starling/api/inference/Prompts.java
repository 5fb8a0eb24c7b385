package io.starling.api.inference;

import com.fasterxml.jackson.databind.JsonNode;
import io.starling.api.error.ApiException;
import io.starling.engine.ModelText;
import io.starling.tokenizer.Tokenizer;
import io.starling.tokenizer.Vocabulary;
import java.util.ArrayList;
import java.util.List;

/** Request text to prompt ids: chat renderings, completion prompts and embedding inputs in all their JSON shapes. */
public final class Prompts {

    /** More prompts than this in one request is a client bug or an attack, not a workload. */
    public static final int MAX_PROMPTS = 256;

    private Prompts() {
    }

    /**
     * A rendered chat prompt: special-token texts such as {@code <|im_start|>} become their tokens, and BOS is added
     * as the model asks unless the template already wrote it.
     */
    public static int[] chat(ModelText.Text text, String rendered) {
        Tokenizer tokenizer = text.tokenizer();
        boolean templateWroteBos = tokenizer.bos() != Vocabulary.NO_TOKEN
                && rendered.startsWith(tokenizer.tokenText(tokenizer.bos()));
        return nonEmpty(tokenizer.encode(rendered, !templateWroteBos, true).ids(), "messages");
    }

    /** Plain text with BOS as the model asks; special-token texts are parsed, as llama-server does. */
    public static int[] text(ModelText.Text text, String value, String param) {
        return nonEmpty(text.tokenizer().encode(value, true, true).ids(), param);
    }

    /** Text that continues a conversation already under way: no BOS; special-token texts are parsed. */
    public static int[] continuation(ModelText.Text text, String value, String param) {
        int[] ids = text.tokenizer().encode(value, false, true).ids();
        if (ids.length == 0) {
            throw ApiException.invalid(param, "'" + param + "' is empty: nothing to continue the session with");
        }
        return ids;
    }

    /**
     * A completion prompt or embedding input: a string, an array of strings, an array of token ids, or an array of
     * such arrays. Each element becomes one prompt.
     */
    public static List<int[]> many(ModelText.Text text, JsonNode node, String param) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            throw ApiException.invalid(param, "'" + param + "' is required");
        }
        if (node.isTextual()) {
            return List.of(text(text, node.textValue(), param));
        }
        if (!node.isArray() || node.isEmpty()) {
            throw ApiException.invalid(param, "'" + param + "' must be a string, an array of strings or an array of token ids");
        }
        if (node.get(0).isIntegralNumber()) {
            // one prompt of token ids, however long: the context length bounds it
            return List.of(ids(text, node, param));
        }
        if (node.size() > MAX_PROMPTS) {
            throw ApiException.invalid(param, "at most " + MAX_PROMPTS + " inputs per request, got " + node.size());
        }
        List<int[]> prompts = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            JsonNode element = node.get(i);
            String at = param + "[" + i + "]";
            if (element.isTextual()) {
                prompts.add(text(text, element.textValue(), at));
            } else if (element.isArray() && !element.isEmpty()) {
                prompts.add(ids(text, element, at));
            } else {
                throw ApiException.invalid(at, "'" + at + "' must be a string or a non-empty array of token ids");
            }
        }
        return prompts;
    }

    /** An array of token ids, each inside the vocabulary. */
    public static int[] ids(ModelText.Text text, JsonNode array, String param) {
        if (array == null || !array.isArray() || array.isEmpty()) {
            throw ApiException.invalid(param, "'" + param + "' must be a non-empty array of token ids");
        }
        int vocab = text.tokenizer().vocabSize();
        int[] ids = new int[array.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode id = array.get(i);
            if (!id.isIntegralNumber() || !id.canConvertToInt() || id.intValue() < 0 || id.intValue() >= vocab) {
                throw ApiException.invalid(param, "'" + param + "[" + i + "]' must be a token id in [0, " + vocab + "), got " + id);
            }
            ids[i] = id.intValue();
        }
        return ids;
    }

    private static int[] nonEmpty(int[] ids, String param) {
        if (ids.length == 0) {
            throw ApiException.invalid(param, "'" + param + "' is empty and the model adds no BOS: nothing to continue");
        }
        return ids;
    }
}
