package io.starling.tensor;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Hand-made Q4_0, Q4_1, Q5_0, Q5_1 and Q8_0 blocks whose values follow from the layout. */
class LegacyQuantFormatsTest {

    @Test
    void q4_0LowNibblesAreTheFirstHalfHighNibblesTheSecond() {
        BlockBytes block = new BlockBytes(18).half(0, 0.5f).fill(2, 16, 0x88).u8(2, 0xF0).u8(3, 0x18);
        float[] expected = new float[32];
        expected[0] = (0 - 8) * 0.5f;
        expected[16] = (15 - 8) * 0.5f;
        expected[1] = 0;
        expected[17] = (1 - 8) * 0.5f;
        assertArrayEquals(expected, Q4_0Format.INSTANCE.dequantize(block.segment(), 0, 32));
    }

    @Test
    void q4_0NegativeScaleFlipsSigns() {
        BlockBytes block = new BlockBytes(18).half(0, -2).fill(2, 16, 0x88).u8(2, 0x0F);
        float[] values = Q4_0Format.INSTANCE.dequantize(block.segment(), 0, 32);
        assertEquals(-14, values[0]);
        assertEquals(16, values[16]);
    }

    @Test
    void q4_0SubnormalScaleIsExact() {
        BlockBytes block = new BlockBytes(18).halfBits(0, 0x0001).fill(2, 16, 0x88).u8(2, 0x0F);
        float[] values = Q4_0Format.INSTANCE.dequantize(block.segment(), 0, 32);
        assertEquals(7 * 0x1p-24f, values[0]);
        assertEquals(-8 * 0x1p-24f, values[16]);
    }

    @Test
    void q4_0InfiniteScaleGivesInfinitiesAndNaNForTheZeroQuant() {
        BlockBytes block = new BlockBytes(18).halfBits(0, 0x7C00).fill(2, 16, 0x88).u8(2, 0x79);
        float[] values = Q4_0Format.INSTANCE.dequantize(block.segment(), 0, 32);
        assertEquals(Float.POSITIVE_INFINITY, values[0]);
        assertEquals(Float.NEGATIVE_INFINITY, values[16]);
        assertEquals(Float.NaN, values[1], "0 * inf is NaN, as in ggml");
    }

    @Test
    void q4_1AddsTheMinimum() {
        BlockBytes block = new BlockBytes(20).half(0, 0.25f).half(2, -1).fill(4, 16, 0x44).u8(4, 0xF0);
        float[] values = Q4_1Format.INSTANCE.dequantize(block.segment(), 0, 32);
        assertEquals(-1, values[0]);
        assertEquals(15 * 0.25f - 1, values[16]);
        assertEquals(0, values[1]);
        assertEquals(0, values[31]);
    }

    @Test
    void q5_0TakesTheFifthBitOfElementIFromBitIOfQh() {
        int qh = 1 | 1 << 16 | 1 << 31;
        BlockBytes block = new BlockBytes(22).half(0, 1).u32(2, qh).u8(6, 0x0F).u8(6 + 15, 0xF0);
        float[] expected = new float[32];
        Arrays.fill(expected, -16);
        expected[0] = (15 | 16) - 16;
        expected[16] = 16 - 16;
        expected[15] = 0 - 16;
        expected[31] = (15 | 16) - 16;
        assertArrayEquals(expected, Q5_0Format.INSTANCE.dequantize(block.segment(), 0, 32));
    }

    @Test
    void q5_1AddsTheMinimumToAFiveBitQuant() {
        BlockBytes block = new BlockBytes(24).half(0, 0.5f).half(2, 10).u32(4, 1 << 3).u8(8 + 3, 0x0F);
        float[] values = Q5_1Format.INSTANCE.dequantize(block.segment(), 0, 32);
        assertEquals(31 * 0.5f + 10, values[3]);
        assertEquals(10, values[19]);
        assertEquals(10, values[0]);
    }

    @Test
    void q8_0QuantsAreSignedBytes() {
        BlockBytes block = new BlockBytes(34).half(0, 0.25f).u8(2, 0x80).u8(3, 0x7F).u8(4, 0xFF);
        float[] values = Q8_0Format.INSTANCE.dequantize(block.segment(), 0, 32);
        assertEquals(-32, values[0]);
        assertEquals(31.75f, values[1]);
        assertEquals(-0.25f, values[2]);
        assertEquals(0, values[31]);
    }

    @Test
    void blocksFollowEachOtherAtTheirByteSize() {
        byte[] two = new byte[1 + 2 * 34];
        System.arraycopy(new BlockBytes(34).half(0, 1).u8(2, 5).bytes(), 0, two, 1, 34);
        System.arraycopy(new BlockBytes(34).half(0, 2).u8(2, 5).bytes(), 0, two, 1 + 34, 34);
        float[] values = Q8_0Format.INSTANCE.dequantize(MemorySegment.ofArray(two), 1, 64);
        assertEquals(5, values[0]);
        assertEquals(10, values[32]);
    }
}
