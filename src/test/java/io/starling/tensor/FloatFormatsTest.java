package io.starling.tensor;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class FloatFormatsTest {

    @Test
    void f32ReadsLittleEndianAtAnyByteOffset() {
        byte[] bytes = {0x7F, 0x00, 0x00, (byte) 0x80, 0x3F, 0x00, 0x00, 0x00, (byte) 0xC0};
        float[] out = new float[3];
        F32Format.INSTANCE.dequantize(MemorySegment.ofArray(bytes), 1, out, 1, 2);
        assertArrayEquals(new float[] {0, 1.0f, -2.0f}, out);
    }

    @Test
    void f32RoundTripsEveryBitPattern() {
        float[] values = {0.1f, -0.0f, Float.MIN_VALUE, Float.MAX_VALUE, Float.NEGATIVE_INFINITY, Float.NaN};
        byte[] bytes = F32Format.INSTANCE.quantize(values);
        assertEquals(0x3D, bytes[3], "0.1f is 0x3DCCCCCD, stored low byte first");
        assertArrayEquals(values, F32Format.INSTANCE.dequantize(MemorySegment.ofArray(bytes), 0, values.length));
    }

    @Test
    void f16DecodesNormalsSubnormalsInfinitiesAndSignedZero() {
        int[] bits = {0x3C00, 0xC000, 0x0001, 0x03FF, 0x7BFF, 0x7C00, 0xFC00, 0x8000};
        float[] expected = {1, -2, 0x1p-24f, 1023 * 0x1p-24f, 65504, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0.0f};
        BlockBytes block = new BlockBytes(2 * bits.length);
        for (int i = 0; i < bits.length; i++) {
            block.halfBits(2 * i, bits[i]);
        }
        assertArrayEquals(expected, F16Format.INSTANCE.dequantize(block.segment(), 0, bits.length));
    }

    @Test
    void f16DecodesNaN() {
        float value = F16Format.INSTANCE.dequantize(new BlockBytes(2).halfBits(0, 0x7E00).segment(), 0, 1)[0];
        assertEquals(Float.NaN, value);
    }

    @Test
    void f16RoundsToNearestEvenIncludingOverflowAndSubnormals() {
        float[] values = {1 + 0x1p-11f, 1 + 3 * 0x1p-11f, 65519, 65520, 0x1p-25f, 3 * 0x1p-25f, -0.0f, Float.NaN};
        int[] expected = {0x3C00, 0x3C02, 0x7BFF, 0x7C00, 0x0000, 0x0002, 0x8000, 0x7E00};
        assertArrayEquals(expected, shorts(F16Format.INSTANCE.quantize(values)));
    }

    @Test
    void bf16WidensByShifting() {
        BlockBytes block = new BlockBytes(6).halfBits(0, 0x3F80).halfBits(2, 0xC0A0).halfBits(4, 0xFF80);
        assertArrayEquals(new float[] {1, -5, Float.NEGATIVE_INFINITY}, BF16Format.INSTANCE.dequantize(block.segment(), 0, 3));
    }

    @Test
    void bf16RoundsToNearestEvenAndQuietsNaN() {
        float[] values = {
            1.0f,
            1 + 0x1p-8f,                                 // exactly half way: stays on the even 0x3F80
            1 + 3 * 0x1p-8f,                             // half way between 0x3F81 and 0x3F82: goes to even
            1 + 0x1p-8f + 0x1p-20f,                      // just above half way
            Float.MAX_VALUE,                             // rounds up into infinity
            Float.intBitsToFloat(0x7F800001),            // signalling NaN whose payload is all in the low half
            Float.intBitsToFloat(0xFF812345),            // negative NaN: sign and top payload kept
            Float.intBitsToFloat(0x00012345),            // subnormal: kept, not flushed
        };
        int[] expected = {0x3F80, 0x3F80, 0x3F82, 0x3F81, 0x7F80, 0x7FC0, 0xFFC1, 0x0001};
        assertArrayEquals(expected, shorts(BF16Format.INSTANCE.quantize(values)));
    }

    private static int[] shorts(byte[] bytes) {
        int[] out = new int[bytes.length / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (bytes[2 * i] & 0xFF) | (bytes[2 * i + 1] & 0xFF) << 8;
        }
        return out;
    }
}
