package io.starling.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.TestModels;
import io.starling.gguf.GgmlType;
import io.starling.gguf.GgufFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticModelTest {

    @TempDir
    Path dir;

    @Test
    void aQ4_0ModelWithARealVocabLoadsWithAQ8_0ClassifierAndOneNorms() throws Exception {
        Path vocab = TestModels.file("vocab/ggml-vocab-llama-spm.gguf");
        Path path = SyntheticModel.builder().dims(64, 1, 4, 4, 64).vocab(32000).type(GgmlType.Q4_0).vocabFrom(vocab)
                .write(dir.resolve("q4.gguf"));
        try (GgufFile file = GgufFile.open(path); GgufFile source = GgufFile.open(vocab)) {
            ModelShape shape = ModelShape.of(file);
            assertThat(shape.vocabSize()).isEqualTo(32000);
            assertThat(file.tensor("blk.0.attn_q.weight").type()).isEqualTo(GgmlType.Q4_0);
            assertThat(file.tensor("output.weight").type()).isEqualTo(GgmlType.Q8_0);
            assertThat(LlamaWeights.of(file, shape).outputNorm()).containsOnly(1f);
            assertThat(file.metadata().getStringArray("tokenizer.ggml.tokens"))
                    .containsExactly(source.metadata().getStringArray("tokenizer.ggml.tokens"));
        }
    }

    @Test
    void theSameSettingsWriteTheSameBytes() throws Exception {
        Path a = SyntheticModel.builder().type(GgmlType.Q8_0).seed(9).write(dir.resolve("a.gguf"));
        Path b = SyntheticModel.builder().type(GgmlType.Q8_0).seed(9).write(dir.resolve("b.gguf"));
        assertThat(Files.mismatch(a, b)).isEqualTo(-1L);
    }
}
