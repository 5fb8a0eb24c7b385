package io.starling.tokenizer;

import io.starling.TestModels;
import io.starling.gguf.GgufFile;
import io.starling.gguf.GgufMetadata;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Tokenizers and metadata of the shared real models and vocab fixtures; tests skip when they are absent. */
final class TestTokenizers {
    private TestTokenizers() {
    }

    static Tokenizer tokenizer(String relative) {
        return Tokenizers.fromMetadata(metadata(relative));
    }

    static GgufMetadata metadata(String relative) {
        try (GgufFile file = GgufFile.open(TestModels.file(relative))) {
            return file.metadata();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
