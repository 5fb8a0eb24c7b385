package io.starling.tensor;

import io.starling.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * Q2_K: super-blocks of 256 in 16 sub-blocks of 16. Bytes 0..15: per sub-block a 4-bit scale (low nibble)
 * and 4-bit min (high nibble); bytes 16..79: 2-bit quants; bytes 80..83: fp16 d and dmin.
 * value = d * scale * q - dmin * min. Each half of 128 elements uses 32 quant bytes: element
 * 32 * p + l (l < 32) of the half sits in bit pair p of byte l.
 */
public final class Q2_KFormat implements BlockFormat {
    public static final Q2_KFormat INSTANCE = new Q2_KFormat();

    private static final int BLOCK = 256;
    private static final int BYTES = 84;

    private Q2_KFormat() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q2_K;
    }

    @Override
    public void dequantize(MemorySegment src, long srcByteOffset, float[] dst, int dstOffset, int count) {
        int blocks = Blocks.count(type(), count);
        for (int b = 0; b < blocks; b++) {
            long block = srcByteOffset + (long) b * BYTES;
            float d = LittleEndian.half(src, block + 80);
            float dmin = LittleEndian.half(src, block + 82);
            int out = dstOffset + b * BLOCK;
            for (int half = 0; half < 2; half++) {
                long quants = block + 16 + 32 * half;
                for (int pair = 0; pair < 4; pair++) {
                    int shift = 2 * pair;
                    for (int group = 0; group < 2; group++) {
                        int packed = LittleEndian.ubyte(src, block + 8 * half + 2 * pair + group);
                        float scale = d * (packed & 0xF);
                        float min = dmin * (packed >>> 4);
                        for (int l = 0; l < 16; l++) {
                            int q = (LittleEndian.ubyte(src, quants + 16 * group + l) >>> shift) & 3;
                            dst[out++] = scale * q - min;
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

    /** ggml_vec_dot_q2_k_q8_k's arithmetic: {@link KQuantDot}. */
    @Override
    public void multiplyRows(MemorySegment w, long rowBytes, int cols, float[] x, int xOffset, int batch,
                             float[] out, int outOffset, int outStride, int rowStart, int rowEnd, float[] scratch) {
        KQuantDot.multiplyRows(type(), w, rowBytes, cols, x, xOffset, batch, out, outOffset, outStride, rowStart, rowEnd);
    }
}
