package io.starling.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class GlibcTrigTest {

    /**
     * {input, sinf, cosf} bit patterns from glibc 2.36's libm on an AVX-512 machine (called at run time, not
     * folded by the compiler). The first, 2.9f, is one where Java's (float) Math.sin is an ulp away; the last
     * rows exercise the large-argument reduction.
     */
    private static final int[][] GLIBC = {
            {0x4039999a, 0x3e74fdc1, 0xbf7890b7},
            {0x42080000, 0x3f0771f6, 0xbf593be7},
            {0x42c00000, 0x3f7bcc68, 0xbe38c2c3},
            {0x3f400000, 0x3f2e7fe1, 0x3f3b4ff6},
            {0x3f000000, 0x3ef57744, 0x3f60a940},
            {0x447a0000, 0x3f53ae61, 0x3f0ff813},
            {0x459c4400, 0xbf4af98a, 0x3f1c0106},
            {0x49742400, 0xbeb33259, 0x3f6fcefd},
            {0xc2f68000, 0x3f2a50a8, 0xbf3f2002},
    };

    @Test
    void sinAndCosEqualGlibcBitForBit() {
        for (int[] row : GLIBC) {
            float x = Float.intBitsToFloat(row[0]);
            assertEquals(Integer.toHexString(row[1]), Integer.toHexString(Float.floatToRawIntBits(GlibcTrig.sinf(x))), "sinf(" + x + ")");
            assertEquals(Integer.toHexString(row[2]), Integer.toHexString(Float.floatToRawIntBits(GlibcTrig.cosf(x))), "cosf(" + x + ")");
        }
    }

    @Test
    void smallAndSpecialArguments() {
        assertEquals(1f, GlibcTrig.cosf(0f));
        assertEquals(0f, GlibcTrig.sinf(0f));
        assertEquals(1e-5f, GlibcTrig.sinf(1e-5f));
        assertEquals(Float.NaN, GlibcTrig.sinf(Float.POSITIVE_INFINITY));
        assertEquals(Float.NaN, GlibcTrig.cosf(Float.NaN));
    }
}
