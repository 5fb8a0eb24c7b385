package io.starling.gguf;

import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** Reads the fixed header, then hands the metadata and tensor-info sections to their readers. */
final class GgufParser {

    /** "GGUF" read as a little-endian int. */
    static final int MAGIC = 0x46554747;
    static final int DEFAULT_ALIGNMENT = 32;
    /** Generous enough for huge-page alignment; larger values are corruption, not intent. */
    static final int MAX_ALIGNMENT = 1 << 24;
    static final String ALIGNMENT_KEY = "general.alignment";

    private GgufParser() {
    }

    static GgufFile parse(MemorySegment segment, Arena arena, RandomAccessFile file) {
        GgufCursor in = new GgufCursor(segment);
        int magic = in.i32("header");
        if (magic != MAGIC) {
            throw new GgufFormatException(String.format("bad magic 0x%08x at offset 0: not a GGUF file", magic));
        }
        int version = version(in.i32("header"));
        long tensorCount = count(in, "tensor", TensorTableReader.MIN_INFO_BYTES);
        long kvCount = count(in, "metadata key-value", MetadataReader.MIN_KV_BYTES);
        if (tensorCount * TensorTableReader.MIN_INFO_BYTES + kvCount * MetadataReader.MIN_KV_BYTES > in.remaining()) {
            throw new GgufFormatException(tensorCount + " tensors and " + kvCount + " metadata key-values cannot fit"
                    + " in the " + in.remaining() + " bytes after the header");
        }
        GgufMetadata metadata = MetadataReader.read(in, kvCount);
        int alignment = alignment(metadata);
        TensorTableReader.Layout layout = TensorTableReader.read(in, tensorCount, alignment);
        return new GgufFile(segment, arena, file, version, alignment, metadata, layout.tensors(), layout.dataOffset());
    }

    private static int version(int version) {
        if (version == 2 || version == 3) {
            return version;
        }
        if (version == 1) {
            throw new GgufFormatException("unsupported GGUF version 1 at offset 4: version 1 used 32-bit counts;"
                    + " re-convert the model with a current llama.cpp");
        }
        int swapped = Integer.reverseBytes(version);
        if (swapped >= 1 && swapped <= 3) {
            throw new GgufFormatException(String.format("GGUF version 0x%08x at offset 4 is byte-swapped: this is a"
                    + " big-endian GGUF file, only little-endian files are supported", version));
        }
        throw new GgufFormatException("unsupported GGUF version " + Integer.toUnsignedString(version)
                + " at offset 4 (supported: 2 and 3)");
    }

    /** A uint64 count, rejected when even the smallest entries of that kind could not fit in the bytes left. */
    private static long count(GgufCursor in, String kind, int minEntryBytes) {
        long at = in.position();
        long count = in.i64(kind + " count");
        if (count < 0 || count > in.remaining() / minEntryBytes) {
            throw new GgufFormatException(kind + " count " + Long.toUnsignedString(count) + " at offset " + at
                    + " is more than the " + in.remaining() + " bytes left could hold");
        }
        return count;
    }

    static int alignment(GgufMetadata metadata) {
        GgufValueType type = metadata.typeOf(ALIGNMENT_KEY);
        if (type == null) {
            return DEFAULT_ALIGNMENT;
        }
        if (!type.isInteger()) {
            throw new GgufFormatException(ALIGNMENT_KEY + " is " + type + ", must be an unsigned integer");
        }
        long alignment = metadata.getLong(ALIGNMENT_KEY);
        if (alignment <= 0 || alignment > MAX_ALIGNMENT || Long.bitCount(alignment) != 1) {
            throw new GgufFormatException(ALIGNMENT_KEY + " = " + alignment + " is not a power of two between 1 and "
                    + MAX_ALIGNMENT);
        }
        return (int) alignment;
    }
}
