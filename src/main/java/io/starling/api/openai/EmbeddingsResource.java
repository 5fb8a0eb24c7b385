package io.starling.api.openai;

import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import io.starling.api.error.ApiException;
import io.starling.api.inference.Prompts;
import io.starling.api.inference.MeteredEngine;
import io.starling.api.inference.RequestPrelude;
import io.starling.engine.ModelText;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * {@code POST /v1/embeddings}: the mean-pooled, unit-length final hidden state of each input (see
 * {@code LlamaModel.embed}), computed on the engine thread one input after another.
 */
@Path("/v1/embeddings")
public class EmbeddingsResource {

    public record Embedding(String object, int index, Object embedding) {
    }

    public record EmbeddingList(String object, List<Embedding> data, String model, EmbeddingUsage usage) {
    }

    @com.fasterxml.jackson.databind.annotation.JsonNaming(com.fasterxml.jackson.databind.PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record EmbeddingUsage(int promptTokens, int totalTokens) {
    }

    private final RequestPrelude prelude;
    private final MeteredEngine engine;

    EmbeddingsResource(RequestPrelude prelude, MeteredEngine engine) {
        this.prelude = prelude;
        this.engine = engine;
    }

    @POST
    @Blocking
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<EmbeddingList> create(EmbeddingRequest request) {
        ModelText.Text text = prelude.open(request, EmbeddingRequest::model);
        boolean base64 = base64(request.encodingFormat());
        int dim = text.model().shape().embeddingLength();
        if (request.dimensions() != null && request.dimensions() != dim) {
            throw ApiException.unsupported("dimensions", "this model's embeddings have " + dim
                    + " dimensions; shortening them is not supported");
        }
        List<int[]> inputs = Prompts.many(text, request.input(), "input");
        int promptTokens = 0;
        for (int[] input : inputs) {
            if (input.length > text.contextLength()) {
                throw ApiException.contextLengthExceeded("input", input.length, 0, text.contextLength());
            }
            promptTokens += input.length;
        }
        int usage = promptTokens;
        return engine.embedAll(inputs)
                .map(vectors -> {
                    List<Embedding> data = new ArrayList<>(vectors.size());
                    for (int i = 0; i < vectors.size(); i++) {
                        data.add(new Embedding("embedding", i, base64 ? encode(vectors.get(i)) : vectors.get(i)));
                    }
                    return new EmbeddingList("list", data, text.model().id(), new EmbeddingUsage(usage, usage));
                });
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
