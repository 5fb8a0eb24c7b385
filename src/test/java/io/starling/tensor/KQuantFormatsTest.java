package io.starling.tensor;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Hand-made K-quant super-blocks whose values follow from the layout. */
class KQuantFormatsTest {

    @Test
    void q2_KScalesAndMinsPerSixteenAndTwoBitQuantsPerPair() {
        BlockBytes block = new BlockBytes(84).half(80, 1).half(82, 0.5f)
                .u8(0, 0x21)          // sub-block 0: scale 1, min 2
                .u8(1, 0xF3)          // sub-block 1: scale 3, min 15
                .u8(2, 0x15)          // sub-block 2: scale 5, min 1
                .u8(4, 0x04)          // sub-block 4: scale 4, min 0
                .u8(6, 0x12)          // sub-block 6: scale 2, min 1
                .u8(12, 0x07)         // sub-block 12: scale 7, min 0
                .u8(16, 0b11_10_01_00) // byte 0 of the first half: elements 0, 32, 64, 96 get 0, 1, 2, 3
                .u8(16 + 16, 0x03)    // element 16 gets 3
                .u8(16 + 32 + 5, 0x10); // second half, byte 5, pair 2: element 128 + 64 + 5 gets 1
        float[] values = Q2_KFormat.INSTANCE.dequantize(block.segment(), 0, 256);
        assertEquals(0 * 1 - 2 * 0.5f, values[0]);
        assertEquals(3 * 3 - 15 * 0.5f, values[16]);
        assertEquals(1 * 5 - 1 * 0.5f, values[32]);
        assertEquals(2 * 4, values[64]);
        assertEquals(3 * 2 - 1 * 0.5f, values[96]);
        assertEquals(7, values[197]);
        assertEquals(0, values[198]);
    }

    @Test
    void q3_KSixBitSignedScalesAndTheHighBitMask() {
        BlockBytes block = new BlockBytes(110).half(108, 0.5f)
                // scales (raw 6 bits, value = raw - 32): s0 = 33, s5 = 16, s9 = 0, s15 = 63, the rest 0
                .u8(96, 0x01)         // low nibble of s0 = 1 (high nibble: s8 = 0)
                .u8(96 + 7, 0xF0)     // high nibble: low four bits of s15
                .u8(96 + 8, 0x02)     // bits 0-1: top of s0 = 2
                .u8(96 + 9, 0x04)     // bits 2-3: top of s5 = 1
                .u8(96 + 11, 0xC0)    // bits 6-7: top of s15 = 3
                // element 0: low bits 3, high bit set -> 3
                .u8(32, 0x03).u8(0, 0x01)
                // element 80 (half 0, pair 2, l 16): low bits 3, high bit (bit 2 of hmask[16]) set -> 3
                .u8(32 + 16, 0x30).u8(16, 0x04)
                // element 144 (half 1, pair 0, l 16): low bits 2, high bit (bit 4 of hmask[16]) clear -> -2
                .u8(32 + 32 + 16, 0x02)
                // element 255 (half 1, pair 3, l 31): low bits 1, high bit (bit 7 of hmask[31]) set -> 1
                .u8(32 + 32 + 31, 0x40).u8(31, 0x80);
        float[] values = Q3_KFormat.INSTANCE.dequantize(block.segment(), 0, 256);
        assertEquals(0.5f * 1 * 3, values[0]);
        assertEquals(0.5f * 1 * -4, values[1], "high bit clear and low bits 0 give -4");
        assertEquals(0.5f * -16 * 3, values[80]);
        assertEquals(0.5f * -32 * -2, values[144]);
        assertEquals(0.5f * 31 * 1, values[255]);
        assertEquals(0.5f * -32 * -4, values[20], "sub-block 1 has raw scale 0, i.e. -32");
    }

    @Test
    void q4_KSixBitScalesAndMinsIncludingTheSplitOnesOfSubBlocksFourToSeven() {
        BlockBytes block = new BlockBytes(144).half(0, 1).half(2, 0.25f)
                .u8(4, 10)                  // scale 0 = 10 (top bits: scale 4's, zero)
                .u8(4 + 1, 7 | 2 << 6)      // scale 1 = 7, top bits of scale 5 = 2
                .u8(4 + 4, 4)               // min 0 = 4
                .u8(4 + 5, 1 | 3 << 6)      // min 1 = 1, top bits of min 5 = 3
                .u8(4 + 9, 0xFD)            // scale 5 low nibble 13, min 5 low nibble 15: scale 45, min 63
                .u8(16, 0x05)               // element 0: 5
                .u8(16 + 1, 0xF0)           // element 33 (chunk 0, high nibble of byte 1): 15
                .u8(16 + 64 + 1, 0x30);     // element 161 (chunk 2, high nibble of byte 1): 3
        float[] values = Q4_KFormat.INSTANCE.dequantize(block.segment(), 0, 256);
        assertEquals(1 * 10 * 5 - 0.25f * 4, values[0]);
        assertEquals(1 * 7 * 15 - 0.25f * 1, values[33]);
        assertEquals(1 * 45 * 3 - 0.25f * 63, values[161]);
        assertEquals(-0.25f * 63, values[160]);
        assertEquals(0, values[128], "sub-block 4 has scale 0 and min 0");
    }

    @Test
    void q5_KAddsAFifthBitPerElementFromQh() {
        BlockBytes block = new BlockBytes(176).half(0, 0.5f).half(2, 1)
                .u8(4, 2).u8(4 + 4, 3)       // sub-block 0: scale 2, min 3
                .u8(4 + 1, 1)                // sub-block 1: scale 1, min 0
                .u8(4 + 3, 1 << 6)           // top bits of scale 7 = 1
                .u8(4 + 7, 2 << 6)           // top bits of min 7 = 2
                .u8(4 + 11, 0x14)            // scale 7 = 4 | 1 << 4 = 20, min 7 = 1 | 2 << 4 = 33
                .u8(48, 0x0F).u8(16, 0x01)   // element 0: 15 + 16 (bit 0 of qh[0]); element 32: 0, bit 1 clear
                .u8(48 + 96 + 5, 0x70).u8(16 + 5, 0x80); // element 229: 7 + 16 (bit 7 of qh[5])
        float[] values = Q5_KFormat.INSTANCE.dequantize(block.segment(), 0, 256);
        assertEquals(0.5f * 2 * 31 - 3, values[0]);
        assertEquals(0, values[32]);
        assertEquals(0.5f * 20 * 23 - 33, values[229]);
        assertEquals(-33, values[228]);
    }

    @Test
    void q6_KCombinesLowNibblesAndHighBitPairsWithSignedByteScales() {
        BlockBytes block = new BlockBytes(210).half(208, 0.5f)
                .u8(192, -3).u8(192 + 2, 4).u8(192 + 4, 1).u8(192 + 13, 127).u8(192 + 15, -128)
                .u8(0, 0xF5)                 // element 0 low nibble 5, element 64 low nibble 15
                .u8(128, 2 | 3 << 4)         // high bits: element 0 -> 2, element 32 -> 0, element 64 -> 3
                .u8(64 + 32 + 16, 0xA0)      // element 240 (half 1, k 3, l 16): low bits 10
                .u8(128 + 32 + 16, 0x40);    // its high bits 1; element 208 (k 2, l 16) gets 0
        float[] values = Q6_KFormat.INSTANCE.dequantize(block.segment(), 0, 256);
        assertEquals(0.5f * -3 * (5 | 2 << 4) - 0.5f * -3 * 32, values[0]);
        assertEquals(0.5f * 4 * -32, values[32]);
        assertEquals(0.5f * 1 * 31, values[64]);
        assertEquals(0.5f * 127 * -32, values[208]);
        assertEquals(0.5f * -128 * -6, values[240]);
    }

    @Test
    void q8_KHasAFloatScaleAndSignedBytes() {
        BlockBytes block = new BlockBytes(292).f32(0, 0.125f).u8(4, 0x80).u8(4 + 255, 0x7F);
        float[] values = Q8_KFormat.INSTANCE.dequantize(block.segment(), 0, 256);
        assertEquals(-16, values[0]);
        assertEquals(15.875f, values[255]);
        assertEquals(0, values[1]);
    }
}
