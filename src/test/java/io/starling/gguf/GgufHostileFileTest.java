package io.starling.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** One hand-built file per validation rule; each must fail with a GgufFormatException that says what and where. */
class GgufHostileFileTest {

    private static final int F32 = GgmlType.F32.id();

    @TempDir
    Path tmp;

    private static GgufFormatException rejects(RawGguf file, String... fragments) {
        return rejects(file.toSegment(), fragments);
    }

    private static GgufFormatException rejects(MemorySegment segment, String... fragments) {
        GgufFormatException e = assertThrows(GgufFormatException.class, () -> GgufFile.parse(segment));
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), () -> "'" + e.getMessage() + "' should mention '" + fragment + "'");
        }
        assertTrue(!e.getMessage().contains("\n"), "one line");
        return e;
    }

    /** A file with one tensor info (and 32-byte default alignment) followed by {@code dataBytes} of data. */
    private static RawGguf oneTensor(long[] shape, int typeId, long offset, int dataBytes) {
        return RawGguf.header(3, 1, 0).tensorInfo("w", shape, typeId, offset).pad(32).bytes(dataBytes);
    }

    private static RawGguf withAlignment(GgufValueType type, long value) {
        RawGguf f = RawGguf.header(3, 0, 1).key("general.alignment", type);
        return switch (type) {
            case UINT32 -> f.u32(value);
            case UINT64 -> f.u64(value);
            default -> f.str("64");
        };
    }

    // header

    @Test
    void badMagic() {
        rejects(new RawGguf().u32(0x4C4D4747).u32(3).u64(0).u64(0), "bad magic 0x4c4d4747 at offset 0", "not a GGUF file");
    }

    @Test
    void fileShorterThanTheMagic() {
        rejects(new RawGguf().u16(0x4747), "truncated header at offset 0");
        rejects(MemorySegment.ofArray(new byte[0]), "truncated header at offset 0");
    }

    @Test
    void version1UsedThirtyTwoBitCounts() {
        rejects(RawGguf.header(1, 0, 0), "unsupported GGUF version 1");
    }

    @Test
    void unknownVersion() {
        rejects(RawGguf.header(4, 0, 0), "unsupported GGUF version 4 at offset 4");
    }

    @Test
    void byteSwappedVersionMeansBigEndian() {
        rejects(RawGguf.header(Integer.reverseBytes(3), 0, 0), "0x03000000 at offset 4", "big-endian");
    }

    @Test
    void truncatedHeader() {
        rejects(new RawGguf().u32(0x46554747).u32(3).u64(0).u32(0), "truncated metadata key-value count at offset 16");
    }

    @Test
    void tensorCountLargerThanTheFileCouldHold() {
        rejects(RawGguf.header(3, 1000, 0).bytes(100), "tensor count 1000 at offset 8", "108 bytes left");
        rejects(RawGguf.header(3, -1, 0), "tensor count 18446744073709551615 at offset 8");
    }

    @Test
    void kvCountLargerThanTheFileCouldHold() {
        rejects(RawGguf.header(3, 0, 1L << 40).bytes(64), "metadata key-value count 1099511627776 at offset 16");
    }

    @Test
    void countsThatFitAloneButNotTogether() {
        rejects(RawGguf.header(3, 2, 5).bytes(70), "2 tensors and 5 metadata key-values cannot fit");
    }

    // metadata

    @Test
    void truncatedMetadata() {
        rejects(RawGguf.header(3, 0, 1).str("general.name").u32(GgufValueType.STRING.id()).u64(50).bytes(1),
                "length 50 of metadata key 'general.name' at offset 48 runs past the end");
        rejects(RawGguf.header(3, 0, 2).key("a", GgufValueType.UINT32).u32(1).bytes(12), "truncated");
    }

    @Test
    void stringLengthBeyondTheFile() {
        rejects(RawGguf.header(3, 0, 1).u64(1000).bytes(20), "length 1000 of metadata key at offset 24 runs past the end");
    }

    @Test
    void stringLengthBeyondTheCap() {
        rejects(RawGguf.header(3, 0, 1).key("k", GgufValueType.STRING).u64(1L << 40).bytes(8),
                "length 1099511627776 of metadata key 'k' at offset 37 exceeds the limit");
        rejects(RawGguf.header(3, 0, 1).u64(70_000).bytes(70_100), "exceeds the limit of 65535 bytes");
        rejects(RawGguf.header(3, 0, 1).u64(-1L).bytes(20), "length 18446744073709551615 of metadata key");
    }

    @Test
    void arrayLengthTimesElementSizeBeyondTheFile() {
        rejects(RawGguf.header(3, 0, 1).key("a", GgufValueType.ARRAY).u32(GgufValueType.UINT64.id()).u64(10).bytes(79),
                "array length 10 of metadata key 'a'", "UINT64 elements need more than the 79 bytes left");
        rejects(RawGguf.header(3, 0, 1).key("a", GgufValueType.ARRAY).u32(GgufValueType.STRING.id()).u64(3).bytes(23),
                "STRING elements need more than");
    }

    @Test
    void arrayLengthBeyondTheCap() {
        rejects(RawGguf.header(3, 0, 1).key("a", GgufValueType.ARRAY).u32(GgufValueType.UINT8.id()).u64(Long.MIN_VALUE),
                "array length 9223372036854775808 of metadata key 'a'", "exceeds the limit");
    }

    @Test
    void nestingDepthIsCapped() {
        RawGguf f = RawGguf.header(3, 0, 1).key("deep", GgufValueType.ARRAY);
        for (int i = 0; i < 20; i++) {
            f.u32(GgufValueType.ARRAY.id()).u64(1);
        }
        f.u32(GgufValueType.UINT8.id()).u64(0);
        rejects(f, "metadata key 'deep'", "nests arrays deeper than 8 levels");
    }

    @Test
    void unknownValueType() {
        rejects(RawGguf.header(3, 0, 1).str("k").u32(13).u32(0), "unknown value type 13 for metadata key 'k' at offset 33");
        rejects(RawGguf.header(3, 0, 1).key("k", GgufValueType.ARRAY).u32(-1).u64(0),
                "unknown value type 4294967295 for array element of metadata key 'k'");
    }

    @Test
    void duplicateKeys() {
        rejects(RawGguf.header(3, 0, 2).key("k", GgufValueType.UINT8).u8(1).key("k", GgufValueType.UINT8).u8(2),
                "duplicate metadata key 'k' at offset 38");
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 3, 48, 1L << 30, 0xFFFF_FFFFL})
    void alignmentMustBeASanePowerOfTwo(long alignment) {
        rejects(withAlignment(GgufValueType.UINT32, alignment), "general.alignment = " + alignment, "not a power of two");
    }

    @Test
    void alignmentMustBeAnInteger() {
        rejects(withAlignment(GgufValueType.STRING, 0), "general.alignment is STRING");
        rejects(withAlignment(GgufValueType.UINT64, -1), "'general.alignment' = 18446744073709551615");
    }

    // tensor infos

    @Test
    void truncatedTensorInfos() {
        rejects(RawGguf.header(3, 1, 0).str("w").u32(2).u64(4).bytes(12), "truncated");
    }

    @Test
    void duplicateTensorNames() {
        rejects(RawGguf.header(3, 2, 0).tensorInfo("w", new long[] {1}, F32, 0).tensorInfo("w", new long[] {1}, F32, 32)
                .pad(32).bytes(64), "duplicate tensor name 'w' at offset 57");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 5, -1})
    void tensorsHaveOneToFourDimensions(int dims) {
        rejects(RawGguf.header(3, 1, 0).str("w").u32(dims).bytes(64),
                "tensor 'w' at offset 24 has " + Integer.toUnsignedString(dims) + " dimensions, ggml allows 1 to 4");
    }

    @Test
    void negativeDimension() {
        rejects(oneTensor(new long[] {4, -2}, F32, 0, 32), "tensor 'w' at offset 24 has negative dimension", "(ne1)");
    }

    @Test
    void elementCountOverflow() {
        rejects(oneTensor(new long[] {1L << 32, 1L << 32}, F32, 0, 32), "has more elements than a long can count");
    }

    @Test
    void byteSizeOverflow() {
        rejects(oneTensor(new long[] {1L << 62}, F32, 0, 32), "take more bytes than a long can count");
    }

    @Test
    void rowLengthMustBeWholeBlocks() {
        rejects(oneTensor(new long[] {48, 2}, GgmlType.Q4_0.id(), 0, 64),
                "tensor 'w': row length 48 is not a multiple of the Q4_0 block size 32");
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 31, 40, 1000, -1})
    void unknownGgmlType(int typeId) {
        rejects(oneTensor(new long[] {32}, typeId, 0, 32),
                "tensor 'w' at offset 24 has unknown ggml type id " + Integer.toUnsignedString(typeId));
    }

    @Test
    void offsetNotAligned() {
        rejects(oneTensor(new long[] {4}, F32, 16, 64), "tensor 'w' has data offset 16, not a multiple of the alignment 32");
    }

    @Test
    void offsetBeyondAnyFile() {
        rejects(oneTensor(new long[] {4}, F32, -32, 64), "tensor 'w' has data offset 18446744073709551584");
    }

    // data section

    @Test
    void truncatedData() {
        rejects(oneTensor(new long[] {16}, F32, 0, 63), "tensor 'w' data [0, +64)", "runs past the end of the file");
    }

    @Test
    void offsetPlusSizeBeyondTheFile() {
        rejects(oneTensor(new long[] {4}, F32, 1L << 62, 64), "runs past the end of the file");
        rejects(oneTensor(new long[] {4}, F32, Long.MAX_VALUE - 31, 64), "runs past the end of the file");
    }

    @Test
    void dataSectionBeyondTheFile() {
        rejects(RawGguf.header(3, 1, 0).tensorInfo("w", new long[] {0}, F32, 0), "truncated data section");
    }

    @Test
    void overlappingTensors() {
        rejects(RawGguf.header(3, 2, 0).tensorInfo("a", new long[] {16}, F32, 0).tensorInfo("b", new long[] {8}, F32, 32)
                .pad(32).bytes(96), "tensors 'a' [", "and 'b' [", "overlap");
    }

    @Test
    void emptyTensorsOverlapNothing() {
        GgufFile f = GgufFile.parse(RawGguf.header(3, 2, 0).tensorInfo("a", new long[] {16}, F32, 0)
                .tensorInfo("empty", new long[] {0, 4}, F32, 32).pad(32).bytes(64).toSegment());
        assertEquals(0, f.tensor("empty").byteSize());
    }

    @Test
    void missingTensorIsNamed() {
        GgufFile f = GgufFile.parse(oneTensor(new long[] {4}, F32, 0, 32).toSegment());
        GgufFormatException e = assertThrows(GgufFormatException.class, () -> f.tensor("output.weight"));
        assertEquals("missing tensor 'output.weight'", e.getMessage());
        assertTrue(f.findTensor("output.weight").isEmpty());
    }

    // opening files

    @Test
    void openNamesThePath() throws IOException {
        Path file = Files.write(tmp.resolve("empty.gguf"), new byte[0]);
        GgufFormatException e = assertThrows(GgufFormatException.class, () -> GgufFile.open(file));
        assertTrue(e.getMessage().startsWith(file + ": truncated header"), e.getMessage());
    }

    @Test
    void openMissingFileIsAnIoError() {
        assertThrows(NoSuchFileException.class, () -> GgufFile.open(tmp.resolve("nope.gguf")));
    }
}
