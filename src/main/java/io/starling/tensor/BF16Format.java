package io.starling.tensor;

import io.starling.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/** bfloat16: the top half of an IEEE single, so widening is a shift and narrowing a rounding of the low half. */
public final class BF16Format implements Quantizer {
    public static final BF16Format INSTANCE = new BF16Format();

    private BF16Format() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.BF16;
    }

    /** Widens bfloat16 bits to the float they denote; exact. */
    public static float toFloat(short bits) {
        return Float.intBitsToFloat(bits << 16);
    }

    /**
     * Narrows to bfloat16 as ggml_compute_fp32_to_bf16 does: round to nearest even (overflow goes to infinity,
     * subnormals are kept), and a NaN keeps its sign and top payload bits with the quiet bit forced on.
     */
    public static short fromFloat(float value) {
        int bits = Float.floatToRawIntBits(value);
        if ((bits & 0x7FFF_FFFF) > 0x7F80_0000) {
            return (short) ((bits >>> 16) | 0x40);
        }
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }

    @Override
    public void dequantize(MemorySegment src, long srcByteOffset, float[] dst, int dstOffset, int count) {
        Blocks.checkedCount(type(), count);
        for (int i = 0; i < count; i++) {
            dst[dstOffset + i] = toFloat(src.get(LittleEndian.SHORT, srcByteOffset + 2L * i));
        }
    }

    @Override
    public void quantize(float[] src, int srcOffset, int count, MemorySegment dst, long dstByteOffset) {
        Blocks.checkedCount(type(), count);
        for (int i = 0; i < count; i++) {
            dst.set(LittleEndian.SHORT, dstByteOffset + 2L * i, fromFloat(src[srcOffset + i]));
        }
    }

    @Override
    public ActivationRounding activationRounding() {
        return ActivationRounding.BF16;
    }
}
