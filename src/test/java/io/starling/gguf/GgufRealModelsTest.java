package io.starling.gguf;

import io.starling.TestModels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/** The real llama.cpp-made files in the shared models directory, checked against the numbers its README gives. */
class GgufRealModelsTest {

    @TempDir
    Path tmp;

    /** The hyper-parameters the README lists for one family of files. */
    private record Shape(int blocks, int embedding, int heads, int kvHeads, int context, int vocab, long elements) {
    }

    private static final Shape STORIES = new Shape(5, 64, 8, 4, 512, 512, 292_800);
    private static final Shape AIDREAMS = new Shape(4, 64, 4, 4, 128, 512, 263_744);
    private static final Shape PAD256 = new Shape(5, 256, 32, 16, 512, 512, 2_231_040);

    private static Shape shapeOf(String fileName) {
        if (fileName.startsWith("stories260K-pad256-")) {
            return PAD256;
        }
        return fileName.startsWith("aidreams") ? AIDREAMS : STORIES;
    }

    private static Stream<Path> models() {
        return TestModels.allGguf().stream().filter(p -> !p.getParent().getFileName().toString().equals("vocab"));
    }

    @TestFactory
    Stream<DynamicTest> everyFileParsesAndItsTensorsTileTheDataSection() {
        return TestModels.allGguf().stream().map(path -> DynamicTest.dynamicTest(path.getFileName().toString(), () -> {
            try (GgufFile gguf = GgufFile.open(path)) {
                assertEquals(3, gguf.version());
                assertEquals(32, gguf.alignment());
                assertEquals(Files.size(path), gguf.fileSize());
                List<GgufTensor> byOffset = gguf.tensors().stream().sorted(Comparator.comparingLong(GgufTensor::offset)).toList();
                long end = gguf.dataOffset();
                for (GgufTensor t : byOffset) {
                    assertEquals(0, t.offset() % 32, t.name());
                    assertTrue(t.offset() >= end, t.name() + " overlaps its predecessor");
                    assertEquals(t.type().byteSize(t.elementCount()), t.byteSize());
                    assertEquals(t.byteSize(), t.data().byteSize());
                    end = t.offset() + t.byteSize();
                }
                assertTrue(end <= gguf.fileSize());
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> modelHyperParametersMatchTheReadme() {
        return models().map(path -> DynamicTest.dynamicTest(path.getFileName().toString(), () -> {
            Shape want = shapeOf(path.getFileName().toString());
            try (GgufFile gguf = GgufFile.open(path)) {
                GgufMetadata m = gguf.metadata();
                assertEquals("llama", gguf.architecture());
                assertEquals(want.blocks, m.getInt("llama.block_count"));
                assertEquals(want.embedding, m.getInt("llama.embedding_length"));
                assertEquals(want.heads, m.getInt("llama.attention.head_count"));
                assertEquals(want.kvHeads, m.getInt("llama.attention.head_count_kv"));
                assertEquals(want.context, m.getInt("llama.context_length"));
                assertEquals(want.vocab, m.getStringArray("tokenizer.ggml.tokens").length);
                assertEquals(want.vocab, m.getFloatArray("tokenizer.ggml.scores").length);
                assertEquals(want.vocab, m.getIntArray("tokenizer.ggml.token_type").length);
                assertEquals("llama", m.getString("tokenizer.ggml.model"));
                assertEquals(want.elements, gguf.tensors().stream().mapToLong(GgufTensor::elementCount).sum());
                assertEquals(9 * want.blocks + 3, gguf.tensors().size());
                GgufTensor embd = gguf.tensor("token_embd.weight");
                assertArrayEquals(new long[] {want.embedding, want.vocab}, embd.shape());
                assertEquals(want.embedding, embd.rowLength());
                assertEquals(want.vocab, embd.rowCount());
                assertEquals(1, gguf.tensor("output_norm.weight").dims());
            }
        }));
    }

    @Test
    void stories260KVocabStartsWithTheSpecialAndByteTokens() throws IOException {
        try (GgufFile gguf = GgufFile.open(TestModels.file("stories260K-f32.gguf"))) {
            String[] tokens = gguf.metadata().getStringArray("tokenizer.ggml.tokens");
            assertEquals("<unk>", tokens[0]);
            assertEquals("<s>", tokens[1]);
            assertEquals("<0x0A>", tokens[13]);
            assertEquals("\u2581t", tokens[259]);
            assertEquals(1e-5f, gguf.metadata().getFloat("llama.attention.layer_norm_rms_epsilon"));
            assertEquals(172, gguf.metadata().getInt("llama.feed_forward_length"));
            assertFalse(gguf.metadata().contains("llama.rope.freq_base"));
            // F32 data really is there: the norm weights of a trained model are not all zero
            GgufTensor norm = gguf.tensor("output_norm.weight");
            float sum = 0;
            for (int i = 0; i < norm.elementCount(); i++) {
                sum += Math.abs(norm.data().getAtIndex(GgufCursor.F32, i));
            }
            assertTrue(sum > 0);
        }
    }

    /** The types each file's README row lists, with their counts. */
    @Test
    void tensorTypesAreThoseTheReadmeLists() throws IOException {
        assertTypes("stories260K-f32.gguf", Map.of(GgmlType.F32, 48));
        assertTypes("stories260K-f16.gguf", Map.of(GgmlType.F16, 37, GgmlType.F32, 11));
        assertTypes("stories260K-Q8_0.gguf", Map.of(GgmlType.Q8_0, 32, GgmlType.F16, 5, GgmlType.F32, 11));
        assertTypes("stories260K-Q4_0.gguf", Map.of(GgmlType.Q4_0, 31, GgmlType.Q8_0, 1, GgmlType.F16, 5, GgmlType.F32, 11));
        assertTypes("stories260K-Q4_K_M.gguf", Map.of(GgmlType.Q5_0, 29, GgmlType.Q8_0, 3, GgmlType.F16, 5, GgmlType.F32, 11));
        assertTypes("aidreams260K-f32.gguf", Map.of(GgmlType.F32, 39));
        assertTypes("aidreams260K-Q8_0.gguf", Map.of(GgmlType.Q8_0, 26, GgmlType.F16, 4, GgmlType.F32, 9));
        assertEquals(GgmlType.Q8_0, GgufFile.open(TestModels.file("stories260K-Q4_0.gguf")).tensor("output.weight").type());
    }

    @Test
    void pad256FilesHoldRealKQuantBlocks() throws IOException {
        assertTypes("stories260K-pad256-Q2_K.gguf", Map.of(GgmlType.Q2_K, 21, GgmlType.Q3_K, 15, GgmlType.Q6_K, 1, GgmlType.F32, 11));
        assertTypes("stories260K-pad256-Q4_K_M.gguf", Map.of(GgmlType.Q4_K, 32, GgmlType.Q6_K, 5, GgmlType.F32, 11));
        assertTypes("stories260K-pad256-Q6_K.gguf", Map.of(GgmlType.Q6_K, 37, GgmlType.F32, 11));
        assertTypes("stories260K-pad256-Q5_1.gguf", Map.of(GgmlType.Q5_1, 36, GgmlType.Q6_K, 1, GgmlType.F32, 11));
        try (GgufFile gguf = GgufFile.open(TestModels.file("stories260K-pad256-Q2_K.gguf"))) {
            assertEquals(2.5e-6f, gguf.metadata().getFloat("llama.attention.layer_norm_rms_epsilon"));
            assertEquals(256, gguf.metadata().getInt("llama.feed_forward_length"));
        }
    }

    private static void assertTypes(String file, Map<GgmlType, Integer> expected) throws IOException {
        try (GgufFile gguf = GgufFile.open(TestModels.file(file))) {
            Map<GgmlType, Integer> found = new EnumMap<>(GgmlType.class);
            gguf.tensors().forEach(t -> found.merge(t.type(), 1, Integer::sum));
            assertEquals(new EnumMap<>(expected), found, file);
        }
    }

    @Test
    void vocabFilesHoldOnlyATokenizer() throws IOException {
        assertVocab("ggml-vocab-llama-spm.gguf", "llama", "llama", 32000, 2);
        assertVocab("ggml-vocab-gpt-2.gguf", "gpt2", "gpt2", 50257, 50256);
        assertVocab("ggml-vocab-phi-3.gguf", "phi3", "llama", 32064, 32000);
        try (GgufFile gpt2 = GgufFile.open(TestModels.file("vocab/ggml-vocab-gpt-2.gguf"))) {
            assertEquals(50000, gpt2.metadata().getStringArray("tokenizer.ggml.merges").length);
            assertFalse(gpt2.metadata().contains("tokenizer.ggml.scores"));
        }
        try (GgufFile phi3 = GgufFile.open(TestModels.file("vocab/ggml-vocab-phi-3.gguf"))) {
            assertTrue(phi3.metadata().getBoolean("tokenizer.ggml.add_bos_token", false));
            assertTrue(phi3.metadata().getString("tokenizer.chat_template").contains("message"));
        }
    }

    private static void assertVocab(String file, String arch, String model, int tokens, int eos) throws IOException {
        try (GgufFile gguf = GgufFile.open(TestModels.file("vocab/" + file))) {
            assertTrue(gguf.tensors().isEmpty());
            assertEquals(arch, gguf.architecture());
            assertEquals(model, gguf.metadata().getString("tokenizer.ggml.model"));
            assertEquals(tokens, gguf.metadata().getStringArray("tokenizer.ggml.tokens").length);
            assertEquals(tokens, gguf.metadata().getIntArray("tokenizer.ggml.token_type").length);
            assertEquals(eos, gguf.metadata().getInt("tokenizer.ggml.eos_token_id"));
        }
    }

    /** Our writer lays files out exactly as llama.cpp does, so rewriting a file's content reproduces its bytes. */
    @TestFactory
    Stream<DynamicTest> rewritingAFileReproducesItByteForByte() {
        return TestModels.allGguf().stream().map(path -> DynamicTest.dynamicTest(path.getFileName().toString(), () -> {
            Path copy = tmp.resolve("copy-" + path.getFileName());
            try (GgufFile gguf = GgufFile.open(path)) {
                GgufWriter writer = new GgufWriter().putAll(gguf.metadata());
                for (GgufTensor t : gguf.tensors()) {
                    writer.addTensor(t.name(), t.type(), t.shape(), t.data());
                }
                writer.write(copy);
            }
            assertEquals(-1, Files.mismatch(path, copy), "first differing byte");
            Files.delete(copy);
        }));
    }
}
