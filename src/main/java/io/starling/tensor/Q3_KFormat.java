package io.starling.tensor;

import io.starling.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * Q3_K: super-blocks of 256 in 16 sub-blocks of 16. Bytes 0..31: hmask, the high bit of each 3-bit quant;
 * bytes 32..95: the low 2 bits; bytes 96..107: sixteen 6-bit signed scales (offset by 32); bytes 108..109:
 * fp16 d. value = d * (scale - 32) * (low2 - (high bit set ? 0 : 4)).
 * Element 128 * h + 32 * p + l (l < 32) takes its low bits from bit pair p of quant byte 32 * h + l and its
 * high bit from bit 4h + p of hmask byte l.
 */
public final class Q3_KFormat implements BlockFormat {
    public static final Q3_KFormat INSTANCE = new Q3_KFormat();

    private static final int BLOCK = 256;
    private static final int BYTES = 110;
    private static final int SCALES = 96;

    private Q3_KFormat() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q3_K;
    }

    /**
     * Sub-block {@code j}'s scale, minus its offset of 32. Its low nibble is the low (j < 8) or high (j >= 8)
     * nibble of byte j mod 8; its top two bits are bits 2 * (j / 4) .. +1 of byte 8 + j mod 4.
     */
    static int scale(MemorySegment src, long block, int j) {
        int low = LittleEndian.ubyte(src, block + SCALES + (j & 7)) >>> (j < 8 ? 0 : 4) & 0xF;
        int high = LittleEndian.ubyte(src, block + SCALES + 8 + (j & 3)) >>> (2 * (j >>> 2)) & 3;
        return (low | high << 4) - 32;
    }

    @Override
    public void dequantize(MemorySegment src, long srcByteOffset, float[] dst, int dstOffset, int count) {
        int blocks = Blocks.count(type(), count);
        for (int b = 0; b < blocks; b++) {
            long block = srcByteOffset + (long) b * BYTES;
            float d = LittleEndian.half(src, block + 108);
            int out = dstOffset + b * BLOCK;
            int subBlock = 0;
            for (int half = 0; half < 2; half++) {
                long quants = block + 32 + 32 * half;
                for (int pair = 0; pair < 4; pair++) {
                    int shift = 2 * pair;
                    int highBit = 1 << (4 * half + pair);
                    for (int group = 0; group < 2; group++) {
                        float scale = d * scale(src, block, subBlock++);
                        for (int l = 16 * group; l < 16 * group + 16; l++) {
                            int low = (LittleEndian.ubyte(src, quants + l) >>> shift) & 3;
                            int high = LittleEndian.ubyte(src, block + l) & highBit;
                            dst[out++] = scale * (high != 0 ? low : low - 4);
                        }
                    }
                }
            }
        }
    }

    /**
     * None by MatMul: the kernel quantizes its activations to Q8_K itself and keeps them as integers
     * ({@link KQuantDot}), in both MatMul modes, as llama.cpp has no other K-quant dot.
     */
    @Override
    public ActivationRounding activationRounding() {
        return ActivationRounding.NONE;
    }

    /** ggml_vec_dot_q3_k_q8_k's arithmetic: {@link KQuantDot}. */
    @Override
    public void multiplyRows(MemorySegment w, long rowBytes, int cols, float[] x, int xOffset, int batch,
                             float[] out, int outOffset, int outStride, int rowStart, int rowEnd, float[] scratch) {
        KQuantDot.multiplyRows(type(), w, rowBytes, cols, x, xOffset, batch, out, outOffset, outStride, rowStart, rowEnd);
    }
}
