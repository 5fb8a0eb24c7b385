package io.starling.api.openai;

import com.fasterxml.jackson.databind.JsonNode;
import io.starling.api.error.ApiException;
import io.starling.api.inference.Prompts;
import io.starling.api.openai.EmbeddingResponses.Embedding;
import io.starling.api.openai.EmbeddingResponses.EmbeddingList;
import io.starling.api.openai.EmbeddingResponses.EmbeddingUsage;
import io.starling.engine.ModelText;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * An embeddings request checked and tokenized, and how the engine's vectors become the response. Framework-free,
 * so the HTTP resource and offline batch jobs answer alike.
 */
public final class EmbeddingJob {

    private final List<int[]> inputs;
    private final int promptTokens;
    private final boolean base64;
    private final String model;

    private EmbeddingJob(List<int[]> inputs, int promptTokens, boolean base64, String model) {
        this.inputs = inputs;
        this.promptTokens = promptTokens;
        this.base64 = base64;
        this.model = model;
    }

    /** Validates {@code request} against the model ({@link ApiException} on a bad field) and tokenizes its inputs. */
    public static EmbeddingJob of(ModelText.Text text, EmbeddingRequest request) {
        boolean base64 = base64(request.encodingFormat());
        int dim = text.model().shape().embeddingLength();
        if (request.dimensions() != null && request.dimensions() != dim) {
            throw ApiException.unsupported("dimensions", "this model's embeddings have " + dim
                    + " dimensions; shortening them is not supported");
        }
        rejectEmptyStrings(request.input());
        List<int[]> inputs = Prompts.many(text, request.input(), "input");
        int promptTokens = 0;
        for (int[] input : inputs) {
            if (input.length > text.contextLength()) {
                throw ApiException.contextLengthExceeded("input", input.length, 0, text.contextLength());
            }
            promptTokens += input.length;
        }
        return new EmbeddingJob(inputs, promptTokens, base64, text.model().id());
    }

    /** The token ids of each input, in order: one embedding each. */
    public List<int[]> inputs() {
        return inputs;
    }

    /** Tokens over all inputs. */
    public int promptTokens() {
        return promptTokens;
    }

    /** The response body of the inputs' vectors, in the inputs' order. */
    public EmbeddingList body(List<float[]> vectors) {
        List<Embedding> data = new ArrayList<>(vectors.size());
        for (int i = 0; i < vectors.size(); i++) {
            data.add(new Embedding("embedding", i, base64 ? encode(vectors.get(i)) : vectors.get(i)));
        }
        return new EmbeddingList("list", data, model, new EmbeddingUsage(promptTokens, promptTokens));
    }

    /** As OpenAI: an empty string has nothing to embed (the model would embed its BOS token alone). */
    private static void rejectEmptyStrings(JsonNode input) {
        if (input == null) {
            return;
        }
        if (input.isTextual() && input.textValue().isEmpty()) {
            throw ApiException.invalid("input", "'input' is an empty string: there is nothing to embed");
        }
        for (int i = 0; input.isArray() && i < input.size(); i++) {
            if (input.get(i).isTextual() && input.get(i).textValue().isEmpty()) {
                throw ApiException.invalid("input[" + i + "]", "'input[" + i + "]' is an empty string: there is nothing to embed");
            }
        }
    }

    private static boolean base64(String format) {
        if (format == null || format.equals("float")) {
            return false;
        }
        if (format.equals("base64")) {
            return true;
        }
        throw ApiException.invalid("encoding_format", "encoding_format must be 'float' or 'base64', got '" + format + "'");
    }

    /** Little-endian float32, base64: what the OpenAI SDKs decode. */
    private static String encode(float[] vector) {
        ByteBuffer bytes = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : vector) {
            bytes.putFloat(v);
        }
        return Base64.getEncoder().encodeToString(bytes.array());
    }
}
