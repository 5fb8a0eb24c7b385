package io.starling.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Writes files with {@link GgufWriter} and reads them back with {@link GgufFile}. */
class GgufRoundTripTest {

    @TempDir
    Path tmp;

    /** Name, type and shape of the tensors every round trip writes: several types, ranks and odd byte sizes. */
    private record Spec(String name, GgmlType type, long... shape) {
    }

    private static final List<Spec> SPECS = List.of(
            new Spec("f32.vector", GgmlType.F32, 3),
            new Spec("f16.matrix", GgmlType.F16, 5, 3),
            new Spec("q4_0.matrix", GgmlType.Q4_0, 64, 2),
            new Spec("q8_0.rank4", GgmlType.Q8_0, 32, 1, 1, 2),
            new Spec("q4_k.matrix", GgmlType.Q4_K, 256, 3),
            new Spec("q6_k.matrix", GgmlType.Q6_K, 256, 1),
            new Spec("i8.vector", GgmlType.I8, 7),
            new Spec("bf16.empty", GgmlType.BF16, 0, 4),
            new Spec("iq4_nl.matrix", GgmlType.IQ4_NL, 32, 5));

    /** Every value type, with the edge values of each range. */
    static GgufWriter putEveryValueType(GgufWriter w) {
        return w.putString("general.architecture", "llama")
                .putString("str.unicode", "h\u00e9llo \u2581w\u00f6rld \uD83D\uDE80")
                .putString("str.empty", "")
                .putUInt8("u8", 255)
                .putInt8("i8", -128)
                .putUInt16("u16", 65535)
                .putInt16("i16", -32768)
                .putUInt32("u32", 0xFFFF_FFFFL)
                .putInt32("i32", Integer.MIN_VALUE)
                .putUInt64("u64", -1L)
                .putInt64("i64", Long.MIN_VALUE)
                .putFloat32("f32", Float.NaN)
                .putFloat64("f64", -0.0)
                .putBool("bool.true", true)
                .putBool("bool.false", false)
                .putArray("arr.u8", new GgufArray(GgufValueType.UINT8, new int[] {0, 1, 255}))
                .putArray("arr.i8", new GgufArray(GgufValueType.INT8, new int[] {-128, 0, 127}))
                .putArray("arr.u16", new GgufArray(GgufValueType.UINT16, new int[] {0, 65535}))
                .putArray("arr.i16", new GgufArray(GgufValueType.INT16, new int[] {-32768, 32767}))
                .putArray("arr.u32", new GgufArray(GgufValueType.UINT32, new long[] {0, 0xFFFF_FFFFL}))
                .putArray("arr.i32", GgufArray.ofInt32(Integer.MIN_VALUE, -1, 0, Integer.MAX_VALUE))
                .putArray("arr.u64", new GgufArray(GgufValueType.UINT64, new long[] {0, -1L}))
                .putArray("arr.i64", new GgufArray(GgufValueType.INT64, new long[] {Long.MIN_VALUE, Long.MAX_VALUE}))
                .putArray("arr.f32", GgufArray.ofFloat32(1.5f, -0.0f, Float.NEGATIVE_INFINITY))
                .putArray("arr.f64", new GgufArray(GgufValueType.FLOAT64, new double[] {Math.PI, Double.MIN_VALUE}))
                .putArray("arr.bool", new GgufArray(GgufValueType.BOOL, new boolean[] {true, false, true}))
                .putArray("arr.str", GgufArray.ofStrings("<s>", "", "\u2581the", "\uD83D\uDE80"))
                .putArray("arr.empty", GgufArray.ofStrings())
                .putArray("arr.nested", new GgufArray(GgufValueType.ARRAY, new GgufArray[] {
                        GgufArray.ofInt32(1, 2),
                        GgufArray.ofStrings("a"),
                        new GgufArray(GgufValueType.ARRAY, new GgufArray[] {GgufArray.ofFloat32(3f)})}));
    }

    private static MemorySegment randomBytes(long size, long seed, Arena arena) {
        MemorySegment s = arena.allocate(Math.max(size, 1)).asSlice(0, size);
        Random r = new Random(seed);
        for (long i = 0; i < size; i++) {
            s.set(ValueLayout.JAVA_BYTE, i, (byte) r.nextInt());
        }
        return s;
    }

    /** @param alignment 0 leaves general.alignment unset, so the default of 32 applies */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 32, 64, 4096})
    void everyValueTypeAndSeveralTensorTypesSurviveARoundTrip(int alignment) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            GgufWriter writer = putEveryValueType(new GgufWriter());
            if (alignment != 0) {
                writer.putUInt32("general.alignment", alignment);
            }
            Map<String, MemorySegment> data = new LinkedHashMap<>();
            for (Spec spec : SPECS) {
                long elements = 1;
                for (long ne : spec.shape) {
                    elements *= ne;
                }
                MemorySegment bytes = randomBytes(spec.type.byteSize(elements), spec.name.hashCode(), arena);
                data.put(spec.name, bytes);
                writer.addTensor(spec.name, spec.type, spec.shape, bytes);
            }
            Path file = tmp.resolve("all.gguf");
            writer.write(file);

            GgufMetadata expected = putEveryValueType(new GgufWriter()).metadata();
            int effective = alignment == 0 ? 32 : alignment;
            try (GgufFile gguf = GgufFile.open(file)) {
                assertEquals(3, gguf.version());
                assertEquals(effective, gguf.alignment());
                assertEquals("llama", gguf.architecture());
                assertEquals(Files.size(file), gguf.fileSize());
                assertEquals(0, gguf.dataOffset() % effective);
                for (String key : expected.keys()) {
                    assertEquals(expected.get(key), gguf.metadata().get(key), key);
                    assertEquals(expected.typeOf(key), gguf.metadata().typeOf(key), key);
                }
                assertEquals(expected.size() + (alignment == 0 ? 0 : 1), gguf.metadata().size());
                assertEquals(List.copyOf(data.keySet()), gguf.tensors().stream().map(GgufTensor::name).toList());
                for (Spec spec : SPECS) {
                    GgufTensor t = gguf.tensor(spec.name);
                    assertEquals(spec.type, t.type());
                    assertArrayEquals(spec.shape, t.shape());
                    assertEquals(0, t.offset() % effective, spec.name + " offset " + t.offset());
                    assertTrue(t.offset() >= gguf.dataOffset());
                    assertEquals(data.get(spec.name).byteSize(), t.byteSize());
                    assertEquals(-1, t.data().mismatch(data.get(spec.name)), spec.name + " bytes differ");
                }
                GgufTensor last = gguf.tensors().getLast();
                assertTrue(gguf.fileSize() - (last.offset() + last.byteSize()) < effective, "only padding follows");
            }
        }
    }

    @Test
    void heapParseSeesWhatOpenSees() throws IOException {
        Path file = tmp.resolve("heap.gguf");
        putEveryValueType(new GgufWriter()).addTensor("t", GgmlType.F32, new long[] {4}, MemorySegment.ofArray(new float[] {1, 2, 3, 4})).write(file);
        GgufFile heap = GgufFile.parse(MemorySegment.ofArray(Files.readAllBytes(file)));
        try (GgufFile mapped = GgufFile.open(file)) {
            assertEquals(mapped.metadata().asMap(), heap.metadata().asMap());
            assertEquals(mapped.tensors(), heap.tensors());
            assertEquals(3f, heap.tensor("t").data().getAtIndex(GgufCursor.F32, 2));
        }
        heap.close();
        assertEquals(3f, heap.tensor("t").data().getAtIndex(GgufCursor.F32, 2), "closing a parsed segment leaves it alone");
    }

    @Test
    void fillerWritesStraightIntoTheFile() throws IOException {
        Path file = tmp.resolve("filled.gguf");
        new GgufWriter()
                .putUInt32("general.alignment", 64)
                .addTensor("ones", GgmlType.F32, new long[] {10, 3}, seg -> {
                    assertEquals(120, seg.byteSize());
                    for (long i = 0; i < 30; i++) {
                        seg.setAtIndex(GgufCursor.F32, i, 1f);
                    }
                })
                .addTensor("bytes", GgmlType.I8, new long[] {5}, seg -> seg.fill((byte) 7))
                .write(file);
        try (GgufFile gguf = GgufFile.open(file)) {
            GgufTensor ones = gguf.tensor("ones");
            assertEquals(10, ones.rowLength());
            assertEquals(3, ones.rowCount());
            assertEquals(30, ones.elementCount());
            assertEquals(2, ones.dims());
            assertEquals(1f, ones.data().getAtIndex(GgufCursor.F32, 29));
            assertEquals(0, gguf.tensor("bytes").offset() % 64);
            assertEquals(7, gguf.tensor("bytes").data().get(ValueLayout.JAVA_BYTE, 4));
        }
    }

    @Test
    void aFailingFillerLeavesNoFileBehind() throws IOException {
        Path file = tmp.resolve("broken.gguf");
        GgufWriter writer = new GgufWriter().addTensor("t", GgmlType.F32, new long[] {4}, seg -> {
            throw new IllegalStateException("quantizer failed");
        });
        assertThrows(IllegalStateException.class, () -> writer.write(file));
        try (var left = Files.list(tmp)) {
            assertEquals(List.of(), left.toList(), "no file and no partial file");
        }
    }

    @Test
    void aFileCanBeRewrittenInPlaceFromItsOwnMapping() throws IOException {
        Path file = tmp.resolve("inplace.gguf");
        new GgufWriter().putString("v", "old").addTensor("t", GgmlType.F32, new long[] {2},
                MemorySegment.ofArray(new float[] {1, 2})).write(file);
        try (GgufFile old = GgufFile.open(file)) {
            GgufTensor t = old.tensor("t");
            new GgufWriter().putAll(old.metadata()).putString("v", "new").addTensor("t", t.type(), t.shape(), t.data())
                    .write(file);
            assertEquals(2f, t.data().getAtIndex(GgufCursor.F32, 1), "the old mapping still reads the old bytes");
        }
        try (GgufFile updated = GgufFile.open(file)) {
            assertEquals("new", updated.metadata().getString("v"));
            assertEquals(2f, updated.tensor("t").data().getAtIndex(GgufCursor.F32, 1));
        }
    }

    @Test
    void aFileWithoutTensorsHasOnlyMetadata() throws IOException {
        Path file = tmp.resolve("vocab-only.gguf");
        new GgufWriter().putArray("tokenizer.ggml.tokens", GgufArray.ofStrings("a", "b")).write(file);
        try (GgufFile gguf = GgufFile.open(file)) {
            assertTrue(gguf.tensors().isEmpty());
            assertNull(gguf.architecture());
            assertArrayEquals(new String[] {"a", "b"}, gguf.metadata().getStringArray("tokenizer.ggml.tokens"));
            assertEquals(gguf.fileSize(), gguf.dataOffset());
        }
    }

    @Test
    void keysKeepInsertionOrderAndReplacingKeepsThePosition() throws IOException {
        Path file = tmp.resolve("order.gguf");
        new GgufWriter().putInt32("z", 1).putInt32("a", 2).putInt32("m", 3).putString("z", "again").write(file);
        try (GgufFile gguf = GgufFile.open(file)) {
            assertEquals(List.of("z", "a", "m"), List.copyOf(gguf.metadata().keys()));
            assertEquals("again", gguf.metadata().getString("z"));
        }
    }

    @Test
    void closeUnmapsAndIsIdempotent() throws IOException {
        Path file = tmp.resolve("close.gguf");
        new GgufWriter().addTensor("t", GgmlType.F32, new long[] {1}, MemorySegment.ofArray(new float[] {5})).write(file);
        GgufFile gguf = GgufFile.open(file);
        MemorySegment data = gguf.tensor("t").data();
        gguf.close();
        gguf.close();
        assertThrows(IllegalStateException.class, () -> data.get(ValueLayout.JAVA_BYTE, 0));
    }

    @Test
    void theWriterRejectsWhatTheFormatCannotHold() {
        GgufWriter w = new GgufWriter();
        MemorySegment four = MemorySegment.ofArray(new byte[4]);
        assertThrows(IllegalArgumentException.class, () -> w.putUInt8("k", 256));
        assertThrows(IllegalArgumentException.class, () -> w.putInt8("k", 128));
        assertThrows(IllegalArgumentException.class, () -> w.putUInt16("k", -1));
        assertThrows(IllegalArgumentException.class, () -> w.putInt16("k", 40000));
        assertThrows(IllegalArgumentException.class, () -> w.putUInt32("k", 1L << 32));
        assertThrows(IllegalArgumentException.class, () -> w.putArray("k", new GgufArray(GgufValueType.UINT8, new int[] {300})));
        assertThrows(IllegalArgumentException.class, () -> w.put("k", GgufValueType.INT32, 5L));
        assertThrows(IllegalArgumentException.class, () -> new GgufArray(GgufValueType.FLOAT32, new int[0]));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("t", GgmlType.F32, new long[] {2}, four));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("t", GgmlType.Q4_0, new long[] {16, 2}, four));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("t", GgmlType.I8, new long[] {}, four));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("t", GgmlType.I8, new long[] {1, 1, 1, 1, 4}, four));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("t", GgmlType.I8, new long[] {-4}, four));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("x".repeat(64), GgmlType.I8, new long[] {4}, four));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("t", GgmlType.F32, new long[] {1L << 62}, seg -> { }));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("t", GgmlType.F32, new long[] {1L << 32, 1L << 32}, four));
        w.addTensor("t", GgmlType.I8, new long[] {4}, four);
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("t", GgmlType.I8, new long[] {4}, four));
        w.putUInt32("general.alignment", 48);
        assertThrows(IllegalArgumentException.class, () -> w.write(tmp.resolve("never.gguf")));
    }

    @Test
    void putAllCopiesValuesWithTheirTypes() throws IOException {
        Path source = tmp.resolve("source.gguf");
        putEveryValueType(new GgufWriter()).write(source);
        Path copy = tmp.resolve("copy.gguf");
        try (GgufFile src = GgufFile.open(source)) {
            new GgufWriter().putAll(src.metadata()).write(copy);
            try (GgufFile dst = GgufFile.open(copy)) {
                assertEquals(src.metadata().asMap(), dst.metadata().asMap());
                for (String key : src.metadata().keys()) {
                    assertSame(src.metadata().typeOf(key), dst.metadata().typeOf(key));
                }
            }
        }
    }
}
