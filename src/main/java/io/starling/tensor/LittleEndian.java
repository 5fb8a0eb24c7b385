package io.starling.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Unaligned little-endian layouts for reading ggml blocks. GGUF tensor data is little-endian and a block
 * field (an fp16 scale at byte 2 of an 18-byte block, say) is rarely aligned to its own size.
 */
final class LittleEndian {
    static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LITTLE_ENDIAN);
    static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(LITTLE_ENDIAN);
    static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LITTLE_ENDIAN);

    private LittleEndian() {
    }

    /** The IEEE half-precision value stored at {@code offset}, widened to float (exactly). */
    static float half(MemorySegment segment, long offset) {
        return Float.float16ToFloat(segment.get(SHORT, offset));
    }

    /** Stores {@code value} as IEEE half precision, rounded to nearest even as ggml's GGML_FP32_TO_FP16 does. */
    static void putHalf(MemorySegment segment, long offset, float value) {
        segment.set(SHORT, offset, Float.floatToFloat16(value));
    }

    /** The unsigned byte at {@code offset}. */
    static int ubyte(MemorySegment segment, long offset) {
        return segment.get(ValueLayout.JAVA_BYTE, offset) & 0xFF;
    }

    static void putByte(MemorySegment segment, long offset, int value) {
        segment.set(ValueLayout.JAVA_BYTE, offset, (byte) value);
    }
}
