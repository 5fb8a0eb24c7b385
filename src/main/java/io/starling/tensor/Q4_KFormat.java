package io.starling.tensor;

import io.starling.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * Q4_K: super-blocks of 256 in 8 sub-blocks of 32. Bytes 0..3: fp16 d and dmin; bytes 4..15: 6-bit scales and
 * mins ({@link KScales}); bytes 16..143: 4-bit quants. Each 64 elements share 32 quant bytes: the first 32
 * take the low nibbles, the next 32 the high nibbles. value = d * scale * q - dmin * min.
 */
public final class Q4_KFormat implements BlockFormat {
    public static final Q4_KFormat INSTANCE = new Q4_KFormat();

    private static final int BLOCK = 256;
    private static final int BYTES = 144;

    private Q4_KFormat() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q4_K;
    }

    @Override
    public void dequantize(MemorySegment src, long srcByteOffset, float[] dst, int dstOffset, int count) {
        int blocks = Blocks.count(type(), count);
        for (int b = 0; b < blocks; b++) {
            long block = srcByteOffset + (long) b * BYTES;
            float d = LittleEndian.half(src, block);
            float dmin = LittleEndian.half(src, block + 2);
            int out = dstOffset + b * BLOCK;
            for (int chunk = 0; chunk < 4; chunk++) {
                long quants = block + 16 + 32 * chunk;
                float lowScale = d * KScales.scale(src, block + 4, 2 * chunk);
                float lowMin = dmin * KScales.min(src, block + 4, 2 * chunk);
                float highScale = d * KScales.scale(src, block + 4, 2 * chunk + 1);
                float highMin = dmin * KScales.min(src, block + 4, 2 * chunk + 1);
                for (int l = 0; l < 32; l++) {
                    int q = LittleEndian.ubyte(src, quants + l);
                    dst[out + l] = lowScale * (q & 0xF) - lowMin;
                    dst[out + 32 + l] = highScale * (q >>> 4) - highMin;
                }
                out += 64;
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

    /** ggml_vec_dot_q4_k_q8_k's arithmetic: {@link KQuantDot}. */
    @Override
    public void multiplyRows(MemorySegment w, long rowBytes, int cols, float[] x, int xOffset, int batch,
                             float[] out, int outOffset, int outStride, int rowStart, int rowEnd, float[] scratch) {
        KQuantDot.multiplyRows(type(), w, rowBytes, cols, x, xOffset, batch, out, outOffset, outStride, rowStart, rowEnd);
    }
}
