package io.starling.gguf;

import io.starling.TestModels;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Truncates and corrupts real and synthetic files and parses every variant: each must either parse into a file whose
 * every tensor and metadata value can be touched, or throw GgufFormatException. Anything else (IndexOutOfBounds,
 * NegativeArraySize, OutOfMemoryError, a JVM crash) fails. Seeded, so a failure reproduces.
 */
class GgufFuzzTest {

    private static final long SEED = 0x6767_7566L;
    private static final int TRUNCATION_PREFIX = 4096;
    private static final int RANDOM_TRUNCATIONS = 200;
    /** Parsing cost grows with the header (a 50000-token vocab is all header), so mutations share this byte budget. */
    private static final long MUTATION_BYTE_BUDGET = 256L << 20;
    private static final long[] HOSTILE_LONGS = {
        -1L, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 32, (1L << 31) - 1, 1L << 31, 1L << 40, 0xFFFF_FFFFL, 0, 1};

    @TempDir
    Path tmp;

    @TestFactory
    Stream<DynamicTest> realFilesSurviveTruncationAndCorruption() {
        return TestModels.allGguf().stream().map(path -> DynamicTest.dynamicTest(path.getFileName().toString(),
                () -> fuzz(path.getFileName().toString(), Files.readAllBytes(path), 3000)));
    }

    @Test
    void aSyntheticFileWithEveryValueTypeSurvivesTruncationAndCorruption() throws IOException {
        Path file = tmp.resolve("synthetic.gguf");
        GgufWriter writer = GgufRoundTripTest.putEveryValueType(new GgufWriter()).putUInt32("general.alignment", 64);
        writer.addTensor("a", GgmlType.Q4_K, new long[] {256, 2}, seg -> seg.fill((byte) 1));
        writer.addTensor("b", GgmlType.F16, new long[] {3, 5, 2}, seg -> seg.fill((byte) 2));
        writer.addTensor("c", GgmlType.Q8_0, new long[] {32, 1, 1, 3}, seg -> seg.fill((byte) 3));
        writer.write(file);
        fuzz("synthetic", Files.readAllBytes(file), 8000);
    }

    private static void fuzz(String name, byte[] original, int maxMutations) {
        byte[] bytes = original.clone();
        MemorySegment heap = MemorySegment.ofArray(bytes);
        long headerEnd = GgufFile.parse(heap).dataOffset();
        Random random = new Random(SEED ^ name.hashCode());

        for (int len = 0; len <= Math.min(TRUNCATION_PREFIX, bytes.length); len++) {
            check(name, "truncated to " + len, heap.asSlice(0, len));
        }
        if (bytes.length > TRUNCATION_PREFIX) {
            for (int i = 0; i < RANDOM_TRUNCATIONS; i++) {
                int len = TRUNCATION_PREFIX + random.nextInt(bytes.length - TRUNCATION_PREFIX);
                check(name, "truncated to " + len, heap.asSlice(0, len));
            }
        }

        int[] lengthFields = plausibleLengthFields(bytes, (int) headerEnd);
        int mutations = (int) Math.clamp(MUTATION_BYTE_BUDGET / Math.max(headerEnd, 1), 200, maxMutations);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment offHeap = arena.allocate(bytes.length);
            for (int i = 0; i < mutations; i++) {
                Mutation m = Mutation.random(random, bytes.length, (int) headerEnd, lengthFields);
                m.apply(bytes);
                // every 32nd variant goes through native memory, like a mapped file does
                MemorySegment target = heap;
                if (i % 32 == 0) {
                    offHeap.copyFrom(heap);
                    target = offHeap;
                }
                check(name, m.toString(), target);
                m.undo(bytes, original);
            }
        }
    }

    /**
     * Offsets in the header whose 8 little-endian bytes hold a small non-negative number: almost all of them are the
     * string lengths, array counts, dimensions and offsets a hostile file would inflate.
     */
    private static int[] plausibleLengthFields(byte[] bytes, int headerEnd) {
        ByteBuffer le = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        List<Integer> found = new ArrayList<>();
        for (int p = 8; p + 8 <= headerEnd; p++) {
            long v = le.getLong(p);
            if (v > 0 && v < (1 << 24)) {
                found.add(p);
            }
        }
        return found.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Overwrites {@code bytes} at {@code offset} with {@code value}'s low {@code width} bytes, little-endian. */
    private record Mutation(String kind, int offset, int width, long value) {

        static Mutation random(Random r, int size, int headerEnd, int[] lengthFields) {
            // most corruption goes where the parser looks; the rest anywhere (tensor data must not matter)
            int span = r.nextInt(10) == 0 || headerEnd == 0 ? size : headerEnd;
            int at = r.nextInt(span);
            return switch (r.nextInt(5)) {
                case 0 -> new Mutation("bit flip", at, 1, -1L ^ (1L << r.nextInt(8)));
                case 1 -> new Mutation("byte", at, 1, r.nextInt(256));
                case 2 -> new Mutation("int", at, 4, r.nextBoolean() ? r.nextInt(48) - 4 : r.nextInt());
                case 3 -> new Mutation("long", at, 8, HOSTILE_LONGS[r.nextInt(HOSTILE_LONGS.length)]);
                default -> lengthFields.length == 0 ? new Mutation("long", at, 8, r.nextLong())
                        : new Mutation("length field", lengthFields[r.nextInt(lengthFields.length)], 8,
                                r.nextInt(3) == 0 ? r.nextLong() : HOSTILE_LONGS[r.nextInt(HOSTILE_LONGS.length)]);
            };
        }

        void apply(byte[] bytes) {
            if (kind.equals("bit flip")) {
                bytes[offset] ^= (byte) ~value;
                return;
            }
            for (int i = 0; i < width && offset + i < bytes.length; i++) {
                bytes[offset + i] = (byte) (value >>> (8 * i));
            }
        }

        void undo(byte[] bytes, byte[] original) {
            int end = Math.min(offset + width, bytes.length);
            System.arraycopy(original, offset, bytes, offset, end - offset);
        }

        @Override
        public String toString() {
            return kind + " 0x" + Long.toHexString(value) + " at offset " + offset;
        }
    }

    private static void check(String file, String variant, MemorySegment segment) {
        GgufFile gguf;
        try {
            gguf = GgufFile.parse(segment);
        } catch (GgufFormatException expected) {
            return;
        } catch (Throwable t) {
            fail(file + ", " + variant + ": parse threw " + t, t);
            return;
        }
        try {
            touch(gguf);
        } catch (GgufFormatException expected) {
            // a typed getter may find a corrupt value of the wrong type: that is what the exception is for
        } catch (Throwable t) {
            fail(file + ", " + variant + ": parsed, but touching it threw " + t, t);
        }
    }

    private static void touch(GgufFile gguf) {
        for (GgufTensor t : gguf.tensors()) {
            MemorySegment data = t.data();
            if (t.byteSize() > 0) {
                data.get(ValueLayout.JAVA_BYTE, 0);
                data.get(ValueLayout.JAVA_BYTE, t.byteSize() - 1);
            }
            if (t.rowLength() * t.rowCount() != t.elementCount() || gguf.tensor(t.name()) != t) {
                throw new AssertionError("inconsistent tensor " + t);
            }
        }
        GgufMetadata meta = gguf.metadata();
        for (Map.Entry<String, Object> e : meta.asMap().entrySet()) {
            touchValue(e.getValue());
            switch (meta.typeOf(e.getKey())) {
                case STRING -> meta.getString(e.getKey());
                case FLOAT32, FLOAT64 -> meta.getFloat(e.getKey());
                case BOOL -> meta.getBoolean(e.getKey(), false);
                case ARRAY -> meta.getArray(e.getKey()).length();
                default -> meta.getLong(e.getKey());
            }
        }
        gguf.architecture();
    }

    private static void touchValue(Object value) {
        if (value instanceof GgufArray array) {
            switch (array.values()) {
                case GgufArray[] nested -> Arrays.stream(nested).forEach(GgufFuzzTest::touchValue);
                case String[] strings -> Arrays.stream(strings).forEach(String::length);
                default -> array.length();
            }
        }
    }
}
