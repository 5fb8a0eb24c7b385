package io.starling.engine;

import io.starling.registry.ModelRegistry;
import io.starling.registry.ServedModel;
import io.starling.tokenizer.ChatTemplate;
import io.starling.tokenizer.Tokenizer;
import io.starling.tokenizer.Tokenizers;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;

/**
 * The text side of the served model: its tokenizer, chat template and end-of-generation ids. All of it is
 * immutable and thread-safe, so REST worker threads tokenize and render templates without touching the engine.
 */
@ApplicationScoped
public class ModelText {

    /** Everything derived from one served model, built together so no caller sees half of it. */
    public record Text(ServedModel model, Tokenizer tokenizer, ChatTemplate chatTemplate, Set<Integer> stopTokens) {
        /** The text tools of {@code model}, read from its metadata; also for tools that build a scheduler without CDI. */
        public static Text of(ServedModel model) {
            Tokenizer tokenizer = Tokenizers.fromMetadata(model.file().metadata());
            return new Text(model, tokenizer, ChatTemplate.fromMetadata(model.file().metadata(), tokenizer),
                    tokenizer.endOfGenerationTokens());
        }

        public int contextLength() {
            return model.shape().contextLength();
        }
    }

    private final ModelRegistry registry;
    private volatile Text text;

    ModelText(ModelRegistry registry) {
        this.registry = registry;
    }

    /** The served model's text tools; {@link ModelUnavailableException} while no model is loaded. */
    public Text get() {
        Text current = text;
        if (current == null) {
            synchronized (this) {
                current = text;
                if (current == null) {
                    current = Text.of(registry.served().orElseThrow(ModelUnavailableException::new));
                    text = current;
                }
            }
        }
        return current;
    }
}
