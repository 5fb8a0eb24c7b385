package io.starling.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.starling.TestModels;
import io.starling.gguf.GgufFormatException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelRegistryTest {

    @Test
    void embeddedModelIsExtractedOnceAndVerified(@TempDir Path dir) throws Exception {
        Path first = EmbeddedModel.extractTo(dir);
        assertThat(Files.size(first)).isEqualTo(379168);
        long modified = Files.getLastModifiedTime(first).toMillis();
        assertThat(EmbeddedModel.extractTo(dir)).isEqualTo(first);
        assertThat(Files.getLastModifiedTime(first).toMillis()).as("a verified copy is reused").isEqualTo(modified);

        Files.write(first, new byte[] {1, 2, 3});
        Path repaired = EmbeddedModel.extractTo(dir);
        assertThat(Files.size(repaired)).as("a damaged copy is replaced").isEqualTo(379168);
    }

    @Test
    void embeddedModelLoadsUnderItsFileName(@TempDir Path dir) throws Exception {
        ServedModel model = ModelRegistry.load(EmbeddedModel.extractTo(dir), null);
        try {
            assertThat(model.id()).isEqualTo("stories260K-Q8_0");
            assertThat(model.shape().layers()).isEqualTo(5);
        } finally {
            model.file().close();
        }
    }

    @Test
    void configuredNameWins() throws Exception {
        ServedModel model = ModelRegistry.load(TestModels.file("aidreams260K-f32.gguf"), "dreams");
        try {
            assertThat(model.id()).isEqualTo("dreams");
            assertThat(model.shape().heads()).isEqualTo(4);
        } finally {
            model.file().close();
        }
    }

    @Test
    void missingFileAndVocabOnlyFileAreClearErrors() {
        assertThatThrownBy(() -> ModelRegistry.load(Path.of("/no/such.gguf"), null))
                .isInstanceOf(NoSuchFileException.class);
        assertThatThrownBy(() -> ModelRegistry.load(TestModels.file("vocab/ggml-vocab-llama-spm.gguf"), null))
                .isInstanceOf(GgufFormatException.class)
                .hasMessageContaining("no tensors");
    }
}
