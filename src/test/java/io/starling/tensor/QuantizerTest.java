package io.starling.tensor;

import io.starling.gguf.GgmlType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuantizerTest {

    @Test
    void q8_0ScaleIsAmaxOver127AndQuantsRoundHalfAwayFromZero() {
        float[] x = new float[32];
        float[] chosen = {127, -63.5f, 0.5f, -0.5f, 2.5f, -126.6f, 0.49999997f};
        System.arraycopy(chosen, 0, x, 0, chosen.length);
        byte[] expected = new byte[34];
        expected[1] = 0x3C;                                   // d = 127 / 127 = 1.0 as fp16 0x3C00
        byte[] quants = {127, -64, 1, -1, 3, -127, 0};
        System.arraycopy(quants, 0, expected, 2, quants.length);
        assertArrayEquals(expected, Q8_0Format.INSTANCE.quantize(x));
    }

    @Test
    void q8_0ScaleIsRoundedToFp16ButQuantsUseTheExactScale() {
        float[] x = new float[32];
        x[0] = 1;
        x[1] = -0.5f;
        byte[] block = Q8_0Format.INSTANCE.quantize(x);
        // 1/127 = 0.0078740..; fp16 has 10 mantissa bits: 2^-7 * (1 + 8/1024) -> exponent 8, mantissa 8
        assertEquals(0x2008, (block[0] & 0xFF) | (block[1] & 0xFF) << 8);
        assertEquals(127, block[2]);
        assertEquals(-64, block[3], "-63.5 rounds away from zero");
    }

    @Test
    void q4_0LargestMagnitudeMapsToMinusEightAndQuantsTruncateAfterAddingEightAndAHalf() {
        float[] x = new float[32];
        float[] chosen = {-8, 7, 7.6f, 0.5f, -0.5f, 3.2f};
        System.arraycopy(chosen, 0, x, 0, chosen.length);
        byte[] expected = new byte[18];
        expected[1] = 0x3C;                                   // d = -8 / -8 = 1
        int[] low = {0, 15, 15, 9, 8, 11};                     // 7.6 + 8.5 = 16.1 is clamped to 15
        for (int j = 0; j < 16; j++) {
            expected[2 + j] = (byte) ((j < low.length ? low[j] : 8) | 8 << 4);
        }
        assertArrayEquals(expected, Q4_0Format.INSTANCE.quantize(x));
    }

    @Test
    void q4_0PositiveExtremeGivesNegativeScaleAndIsStillExact() {
        float[] x = new float[32];
        x[0] = 8;
        x[1] = -7;
        byte[] block = Q4_0Format.INSTANCE.quantize(x);
        assertEquals((short) 0xBC00, (short) ((block[0] & 0xFF) | block[1] << 8), "d = 8 / -8 = -1");
        float[] back = Q4_0Format.INSTANCE.dequantize(MemorySegment.ofArray(block), 0, 32);
        assertEquals(8, back[0]);
        assertEquals(-7, back[1]);
    }

    @Test
    void q4_0FirstOfTwoEqualMagnitudesDecidesTheSignOfTheScale() {
        float[] minusFirst = new float[32];
        minusFirst[0] = -4;
        minusFirst[1] = 4;
        float[] back = roundTrip(Q4_0Format.INSTANCE, minusFirst);
        assertEquals(-4, back[0]);
        assertEquals(3.5f, back[1], "+4 would need quant 16; it is clamped to 15");

        float[] plusFirst = {4, -4};
        plusFirst = Arrays.copyOf(plusFirst, 32);
        back = roundTrip(Q4_0Format.INSTANCE, plusFirst);
        assertEquals(4, back[0]);
        assertEquals(-3.5f, back[1]);
    }

    @Test
    void q4_1ConstantBlockIsExactThroughItsMinimum() {
        float[] x = new float[32];
        Arrays.fill(x, 3);
        byte[] block = Q4_1Format.INSTANCE.quantize(x);
        assertEquals(0, (block[0] | block[1]), "d = 0");
        float[] back = Q4_1Format.INSTANCE.dequantize(MemorySegment.ofArray(block), 0, 32);
        for (float v : back) {
            assertEquals(3, v);
        }
    }

    @Test
    void q5_0ZeroBlockHasScaleMinusZeroAndQuantSixteenWithItsFifthBitSet() {
        byte[] block = Q5_0Format.INSTANCE.quantize(new float[32]);
        ByteBuffer b = ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals((short) 0x8000, b.getShort(0), "d = 0 / -16 = -0.0, as ggml (and the padded files) store it");
        assertEquals(-1, b.getInt(2), "every element is 16 = 0b10000");
        for (int j = 6; j < 22; j++) {
            assertEquals(0, block[j]);
        }
    }

    @Test
    void q8_KMapsTheLargestMagnitudeToMinus127AndKeepsGroupSums() {
        float[] x = new float[256];
        x[0] = 2;
        x[1] = -1;
        x[17] = 0.5f;
        byte[] block = Q8_KFormat.INSTANCE.quantize(x);
        ByteBuffer b = ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(2 / -127f, b.getFloat(0), 1e-9f);
        assertEquals(-127, block[4]);
        assertEquals(64, block[5], "nearest-even(63.5) = 64");
        assertEquals(-32, block[4 + 17], "nearest-even(-31.75) = -32");
        assertEquals(-127 + 64, b.getShort(4 + 256));
        assertEquals(-32, b.getShort(4 + 256 + 2));
    }

    @ParameterizedTest
    @EnumSource(names = {"F32", "F16", "BF16", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q8_K"})
    void allZeroBlocksGiveZerosAndNoNaN(GgmlType type) {
        // Q4_0 and Q5_0 store d = -0.0 (0 / -8), so their zeros may come back as -0.0: equal to 0, not NaN.
        Quantizer quantizer = BlockFormats.quantizer(type);
        float[] back = roundTrip(quantizer, new float[2 * type.blockSize()]);
        for (float v : back) {
            assertTrue(v == 0, type + " gave " + v);
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q8_K"})
    void roundTripErrorIsWithinHalfAStepPerBlock(GgmlType type) {
        Quantizer quantizer = BlockFormats.quantizer(type);
        Random random = new Random(42);
        int n = type.blockSize();
        for (double magnitude : new double[] {1e-3, 1, 1e3}) {
            float[] x = new float[64 * n];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (random.nextGaussian() * magnitude + (type == GgmlType.Q4_1 ? magnitude : 0));
            }
            byte[] bytes = quantizer.quantize(x);
            float[] back = quantizer.dequantize(MemorySegment.ofArray(bytes), 0, x.length);
            for (int block = 0; block < x.length / n; block++) {
                BlockBound bound = BlockBound.of(type, x, block * n, n, bytes, block * type.bytesPerBlock());
                for (int i = block * n; i < block * n + n; i++) {
                    double error = Math.abs(x[i] - back[i]);
                    assertTrue(error <= bound.limit(back[i]),
                            type + " element " + i + " of magnitude " + magnitude + ": error " + error + " > " + bound.limit(back[i]));
                }
            }
        }
    }

    /**
     * The error one block's quantization may make: half a step of the exact scale, plus what rounding the
     * stored scale (and offset) to fp16 adds at the largest quant. Symmetric formats clamp the end opposite
     * to the largest magnitude one quant short (+7 for Q4_0), so values there may be off by a whole step.
     */
    private record BlockBound(double step, double storageError, float clampedValue) {
        static BlockBound of(GgmlType type, float[] x, int from, int n, byte[] bytes, int offset) {
            ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            float min = Float.MAX_VALUE;
            float max = -Float.MAX_VALUE;
            float amax = 0;
            for (int i = from; i < from + n; i++) {
                min = Math.min(min, x[i]);
                max = Math.max(max, x[i]);
                amax = Math.max(amax, Math.abs(x[i]));
            }
            return switch (type) {
                case Q8_0 -> symmetric(amax / 127, 127, half(b, offset), Float.NaN);
                case Q4_0 -> symmetric(amax / 8, 8, half(b, offset), 7 * half(b, offset));
                case Q5_0 -> symmetric(amax / 16, 16, half(b, offset), 15 * half(b, offset));
                case Q8_K -> symmetric(amax / 127, 127, b.getFloat(offset), Float.NaN);
                case Q4_1 -> asymmetric((max - min) / 15, 15, half(b, offset), min, half(b, offset + 2));
                case Q5_1 -> asymmetric((max - min) / 31, 31, half(b, offset), min, half(b, offset + 2));
                default -> throw new IllegalArgumentException(type.toString());
            };
        }

        private static BlockBound symmetric(double step, int maxQuant, float stored, float clampedValue) {
            return new BlockBound(step, maxQuant * Math.abs(Math.abs(stored) - step) + 1e-6 * step, clampedValue);
        }

        private static BlockBound asymmetric(double step, int maxQuant, float stored, float min, float storedMin) {
            return new BlockBound(step, maxQuant * Math.abs(stored - step) + Math.abs(storedMin - min) + 1e-6 * step, Float.NaN);
        }

        private static float half(ByteBuffer b, int offset) {
            return Float.float16ToFloat(b.getShort(offset));
        }

        double limit(float dequantized) {
            double clampedOrHalf = Math.abs(dequantized) == Math.abs(clampedValue) ? step : step / 2;
            return clampedOrHalf + storageError;
        }
    }

    @Test
    void f16AndBf16RoundTripsStayWithinHalfAnUlpOfTheirPrecision() {
        Random random = new Random(7);
        float[] x = new float[4096];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        float[] f16 = roundTrip(F16Format.INSTANCE, x);
        float[] bf16 = roundTrip(BF16Format.INSTANCE, x);
        for (int i = 0; i < x.length; i++) {
            if (Math.abs(x[i]) >= 0x1p-14f) {
                assertTrue(Math.abs(x[i] - f16[i]) <= Math.abs(x[i]) * 0x1p-11f, "f16 of " + x[i]);
            }
            assertTrue(Math.abs(x[i] - bf16[i]) <= Math.abs(x[i]) * 0x1p-8f, "bf16 of " + x[i]);
        }
    }

    @Test
    void quantizeWritesAtTheGivenOffsetsAndLeavesTheRestAlone() {
        float[] x = new float[40];
        x[5] = 1;
        byte[] out = new byte[50];
        Arrays.fill(out, (byte) 0x55);
        Q8_0Format.INSTANCE.quantize(x, 4, 32, MemorySegment.ofArray(out), 7);
        assertEquals(0x55, out[6]);
        assertEquals(127, out[7 + 2 + 1]);
        assertEquals(0x55, out[7 + 34]);
    }

    @Test
    void rejectsPartialBlocks() {
        assertThrows(IllegalArgumentException.class, () -> Q4_0Format.INSTANCE.quantize(new float[33]));
        assertThrows(IllegalArgumentException.class,
                () -> Q4_0Format.INSTANCE.quantize(new float[64], 0, 48, MemorySegment.ofArray(new byte[64]), 0));
    }

    private static float[] roundTrip(Quantizer quantizer, float[] x) {
        return quantizer.dequantize(MemorySegment.ofArray(quantizer.quantize(x)), 0, x.length);
    }
}
