package io.starling.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Full-size synthetic models in TinyLlama-1.1B's shape. Fillers touch only a few bytes of each tensor, so the files
 * are mostly sparse and the test costs little disk and time while exercising real multi-gigabyte offsets.
 */
class GgufLargeFileTest {

    private static final int VOCAB = 32000;
    private static final int DIM = 2048;
    private static final int KV_DIM = 256;
    private static final int FFN = 5632;
    private static final int LAYERS = 22;

    @TempDir
    Path tmp;

    /** TinyLlama's 201 tensors; matrices of {@code type}, norms F32, as llama.cpp names them. */
    private static GgufWriter tinyLlama(GgmlType type) {
        GgufWriter w = new GgufWriter()
                .putString("general.architecture", "llama")
                .putUInt32("llama.block_count", LAYERS)
                .putUInt32("llama.embedding_length", DIM)
                .putUInt32("llama.feed_forward_length", FFN)
                .putUInt32("llama.attention.head_count", 32)
                .putUInt32("llama.attention.head_count_kv", 4)
                .putUInt32("llama.context_length", 2048)
                .putString("tokenizer.ggml.model", "llama");
        String[] tokens = new String[VOCAB];
        float[] scores = new float[VOCAB];
        int[] types = new int[VOCAB];
        for (int i = 0; i < VOCAB; i++) {
            tokens[i] = "\u2581tok" + i;
            scores[i] = -i;
            types[i] = 1;
        }
        w.putArray("tokenizer.ggml.tokens", GgufArray.ofStrings(tokens))
                .putArray("tokenizer.ggml.scores", GgufArray.ofFloat32(scores))
                .putArray("tokenizer.ggml.token_type", GgufArray.ofInt32(types));
        tensor(w, "token_embd.weight", type, DIM, VOCAB);
        for (int l = 0; l < LAYERS; l++) {
            String p = "blk." + l + ".";
            tensor(w, p + "attn_norm.weight", GgmlType.F32, DIM);
            tensor(w, p + "attn_q.weight", type, DIM, DIM);
            tensor(w, p + "attn_k.weight", type, DIM, KV_DIM);
            tensor(w, p + "attn_v.weight", type, DIM, KV_DIM);
            tensor(w, p + "attn_output.weight", type, DIM, DIM);
            tensor(w, p + "ffn_norm.weight", GgmlType.F32, DIM);
            tensor(w, p + "ffn_gate.weight", type, DIM, FFN);
            tensor(w, p + "ffn_up.weight", type, DIM, FFN);
            tensor(w, p + "ffn_down.weight", type, FFN, DIM);
        }
        tensor(w, "output_norm.weight", GgmlType.F32, DIM);
        return tensor(w, "output.weight", type, DIM, VOCAB);
    }

    /** Marks each tensor's first and last byte with a value derived from its name, to check they land where promised. */
    private static GgufWriter tensor(GgufWriter w, String name, GgmlType type, long... shape) {
        byte mark = (byte) name.hashCode();
        return w.addTensor(name, type, shape, seg -> {
            seg.set(ValueLayout.JAVA_BYTE, 0, mark);
            seg.set(ValueLayout.JAVA_BYTE, seg.byteSize() - 1, mark);
        });
    }

    private static void assertMarks(GgufFile gguf) {
        for (GgufTensor t : gguf.tensors()) {
            byte mark = (byte) t.name().hashCode();
            assertEquals(mark, t.data().get(ValueLayout.JAVA_BYTE, 0), t.name());
            assertEquals(mark, t.data().get(ValueLayout.JAVA_BYTE, t.byteSize() - 1), t.name());
        }
    }

    /** How fast it opens is measured in perf/ (ModelLoadBenchmark), not here: unit tests assert no timings. */
    @Test
    void aSixHundredMegabyteTinyLlamaOpensWithEveryTensorInPlace() throws IOException {
        Path file = tmp.resolve("tinyllama-q4_0.gguf");
        tinyLlama(GgmlType.Q4_0).write(file);
        assertTrue(Files.size(file) > 600_000_000L, "size " + Files.size(file));
        try (GgufFile gguf = GgufFile.open(file)) {
            assertEquals(201, gguf.tensors().size());
            assertEquals(VOCAB, gguf.metadata().getArray("tokenizer.ggml.tokens").length());
            assertMarks(gguf);
            assertEquals(GgmlType.Q4_0.byteSize((long) FFN * DIM), gguf.tensor("blk.21.ffn_down.weight").byteSize());
        }
    }

    @Test
    void aMultiGigabyteModelIsWrittenWithoutHoldingItInTheHeap() throws IOException {
        Path file = tmp.resolve("tinyllama-f16.gguf");
        tinyLlama(GgmlType.F16).write(file);
        long params = 0;
        try (GgufFile gguf = GgufFile.open(file)) {
            for (GgufTensor t : gguf.tensors()) {
                params += t.elementCount();
                assertEquals(0, t.offset() % 32);
            }
            assertEquals(1_100_048_384L, params);
            assertTrue(gguf.fileSize() > 2L * params, "over 2 GB: " + gguf.fileSize());
            GgufTensor last = gguf.tensor("output.weight");
            assertTrue(last.offset() + last.byteSize() > Integer.MAX_VALUE, "reads past 2^31 are exercised");
            assertMarks(gguf);
        }
    }
}
