package io.starling.api.starling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.smallrye.common.annotation.Blocking;
import io.starling.api.error.ApiException;
import io.starling.api.inference.Prompts;
import io.starling.api.inference.RequestPrelude;
import io.starling.engine.ModelText;
import io.starling.tokenizer.EncodedText;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code POST /v1/tokenize} and {@code POST /v1/detokenize}: the served model's tokenizer over HTTP. They never
 * touch the engine; they run on worker threads because a long text is real work.
 */
@Path("/v1")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class TokenizeResource {

    /**
     * @param addSpecialTokens add BOS/EOS as the model asks (default true)
     * @param parseSpecial     turn special-token texts such as {@code <|im_start|>} into their ids (default false)
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record TokenizeRequest(String model, String text, Boolean addSpecialTokens, Boolean parseSpecial) {
    }

    /** Ids and, per id, the {@code [start, end)} byte span of the UTF-8 text it came from. */
    public record TokenizeResponse(int[] tokens, int[][] offsets) {
    }

    public record DetokenizeRequest(String model, JsonNode tokens) {
    }

    public record DetokenizeResponse(String text) {
    }

    private final RequestPrelude prelude;

    TokenizeResource(RequestPrelude prelude) {
        this.prelude = prelude;
    }

    @POST
    @Path("tokenize")
    @Blocking
    public TokenizeResponse tokenize(TokenizeRequest request) {
        ModelText.Text text = prelude.open(request, TokenizeRequest::model);
        if (request.text() == null) {
            throw ApiException.invalid("text", "'text' is required");
        }
        EncodedText encoded = text.tokenizer().encode(request.text(), !Boolean.FALSE.equals(request.addSpecialTokens()),
                Boolean.TRUE.equals(request.parseSpecial()));
        int[][] offsets = new int[encoded.size()][];
        for (int i = 0; i < offsets.length; i++) {
            offsets[i] = new int[] {encoded.start(i), encoded.end(i)};
        }
        return new TokenizeResponse(encoded.ids(), offsets);
    }

    @POST
    @Path("detokenize")
    @Blocking
    public DetokenizeResponse detokenize(DetokenizeRequest request) {
        ModelText.Text text = prelude.open(request, DetokenizeRequest::model);
        if (request.tokens() == null || request.tokens().isNull()) {
            throw ApiException.invalid("tokens", "'tokens' is required");
        }
        if (request.tokens().isArray() && request.tokens().isEmpty()) {
            return new DetokenizeResponse("");
        }
        return new DetokenizeResponse(text.tokenizer().decode(Prompts.ids(text, request.tokens(), "tokens")));
    }
}
