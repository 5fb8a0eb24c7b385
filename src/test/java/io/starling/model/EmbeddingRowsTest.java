package io.starling.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.starling.gguf.GgmlType;
import io.starling.gguf.GgufFile;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class EmbeddingRowsTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "Q8_0", "Q4_0"})
    void rowsReadFromTheFileDecodeAsRowsReadThroughTheMapping(GgmlType type) throws Exception {
        Path path = SyntheticModel.small().type(type).write(dir.resolve(type + ".gguf"));
        try (GgufFile file = GgufFile.open(path)) {
            LlamaWeights weights = LlamaWeights.of(file, ModelShape.of(file));
            assertThat(weights.tokenEmbeddingSource()).as("an untied table is read from the file").isNotNull();
            EmbeddingRows rows = new EmbeddingRows(weights.tokenEmbedding(), weights.tokenEmbeddingSource());
            int cols = weights.tokenEmbedding().cols();
            for (int token = 0; token < weights.tokenEmbedding().rows(); token++) {
                float[] mapped = new float[cols + 3];
                float[] read = new float[cols + 3];
                weights.tokenEmbedding().dequantizeRow(token, mapped, 3);
                rows.decode(token, read, 3);
                assertThat(read).as("row %d", token).containsExactly(mapped);
            }
        }
    }

    @Test
    void aTableTiedToTheOutputHeadIsReadThroughTheMapping() throws Exception {
        Path path = SyntheticModel.small().type(GgmlType.Q8_0).tiedOutput(true).write(dir.resolve("tied.gguf"));
        try (GgufFile file = GgufFile.open(path)) {
            assertThat(LlamaWeights.of(file, ModelShape.of(file)).tokenEmbeddingSource()).isNull();
        }
    }

    @Test
    void aParsedSegmentAndItsFileReadTheSameBytes() throws Exception {
        Path path = SyntheticModel.small().type(GgmlType.Q4_0).write(dir.resolve("q4.gguf"));
        try (GgufFile opened = GgufFile.open(path);
             FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
             Arena arena = Arena.ofConfined()) {
            GgufFile parsed = GgufFile.parse(channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena));
            long at = opened.tensor("token_embd.weight").offset() + 5;
            byte[] fromFile = new byte[100];
            byte[] fromSegment = new byte[100];
            opened.readBytes(at, fromFile, 0, 100);
            parsed.readBytes(at, fromSegment, 0, 100);
            assertThat(fromFile).containsExactly(fromSegment)
                    .containsExactly(opened.segment().asSlice(at, 100).toArray(ValueLayout.JAVA_BYTE));
            assertThatThrownBy(() -> opened.readBytes(opened.fileSize() - 10, fromFile, 0, 11))
                    .isInstanceOf(IndexOutOfBoundsException.class);
        }
    }
}
