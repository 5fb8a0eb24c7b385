package io.starling.engine;

import io.starling.registry.ServedModel;
import io.starling.tokenizer.ChatTemplate;
import io.starling.tokenizer.Tokenizer;
import io.starling.tokenizer.Tokenizers;
import java.util.Set;

/**
 * The text side of a served model: its tokenizer, chat template and end-of-generation ids. All of it is
 * immutable and thread-safe, so REST worker threads tokenize and render templates without touching the engine.
 */
public final class ModelText {

    private ModelText() {
    }

    /** Everything derived from one served model, built together so no caller sees half of it. */
    public record Text(ServedModel model, Tokenizer tokenizer, ChatTemplate chatTemplate, Set<Integer> stopTokens) {
        public int contextLength() {
            return model.shape().contextLength();
        }
    }

    /** The text tools of {@code model}, read from its metadata. */
    public static Text of(ServedModel model) {
        Tokenizer tokenizer = Tokenizers.fromMetadata(model.file().metadata());
        return new Text(model, tokenizer, ChatTemplate.fromMetadata(model.file().metadata(), tokenizer),
                tokenizer.endOfGenerationTokens());
    }
}
