package io.starling.gguf;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A bounds-checked little-endian read position in a segment. Every read first checks that the bytes are there and
 * throws {@link GgufFormatException} naming what was being read and where otherwise, so parsing code never sees an
 * IndexOutOfBoundsException. Descriptions are passed in unformatted and only turned into text on failure, which keeps
 * the per-token cost of a 50000-entry vocab down to the read itself.
 */
final class GgufCursor {

    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final MemorySegment segment;
    private final long size;
    private long position;
    private byte[] scratch = new byte[1024];

    GgufCursor(MemorySegment segment) {
        this.segment = segment;
        this.size = segment.byteSize();
    }

    MemorySegment segment() {
        return segment;
    }

    long position() {
        return position;
    }

    long size() {
        return size;
    }

    long remaining() {
        return size - position;
    }

    /** Moves past bytes a caller has read directly after {@link #require}. */
    void skip(long bytes) {
        position += bytes;
    }

    /** Throws unless {@code bytes} more bytes follow the current position. */
    void require(long bytes, String what) {
        if (bytes > size - position) {
            throw new GgufFormatException("truncated " + what + " at offset " + position + ": needs " + bytes
                    + " bytes, the file has " + (size - position) + " left");
        }
    }

    int u8(String what) {
        require(1, what);
        return segment.get(JAVA_BYTE, position++) & 0xFF;
    }

    int i8(String what) {
        require(1, what);
        return segment.get(JAVA_BYTE, position++);
    }

    int u16(String what) {
        return i16(what) & 0xFFFF;
    }

    int i16(String what) {
        require(2, what);
        short v = segment.get(I16, position);
        position += 2;
        return v;
    }

    int i32(String what) {
        require(4, what);
        int v = segment.get(I32, position);
        position += 4;
        return v;
    }

    long u32(String what) {
        return i32(what) & 0xFFFF_FFFFL;
    }

    long i64(String what) {
        require(8, what);
        long v = segment.get(I64, position);
        position += 8;
        return v;
    }

    float f32(String what) {
        require(4, what);
        float v = segment.get(F32, position);
        position += 4;
        return v;
    }

    double f64(String what) {
        require(8, what);
        double v = segment.get(F64, position);
        position += 8;
        return v;
    }

    /**
     * A GGUF string: a uint64 byte length, then that many UTF-8 bytes (malformed sequences become U+FFFD, as
     * {@link String#String(byte[], int, int, java.nio.charset.Charset)} does). Lengths beyond {@code maxBytes} or the
     * bytes left are rejected before anything is allocated.
     */
    String string(int maxBytes, String what) {
        long at = position;
        long length = i64(what);
        if (length < 0 || length > maxBytes) {
            throw new GgufFormatException("length " + Long.toUnsignedString(length) + " of " + what + " at offset " + at
                    + " exceeds the limit of " + maxBytes + " bytes");
        }
        if (length > size - position) {
            throw new GgufFormatException("length " + length + " of " + what + " at offset " + at + " runs past the end"
                    + " of the file (" + (size - position) + " bytes left)");
        }
        int n = (int) length;
        if (n > scratch.length) {
            scratch = new byte[n];
        }
        MemorySegment.copy(segment, JAVA_BYTE, position, scratch, 0, n);
        position += n;
        return new String(scratch, 0, n, StandardCharsets.UTF_8);
    }

    /** Copies {@code count} values of {@code layout} into {@code array} (int[], long[], float[] or double[]). */
    void bulk(ValueLayout layout, Object array, int count, String what) {
        long bytes = count * layout.byteSize();
        require(bytes, what);
        MemorySegment.copy(segment, layout, position, array, 0, count);
        position += bytes;
    }
}
