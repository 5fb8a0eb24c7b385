package io.starling.tensor;

import io.starling.gguf.GgmlType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Q6_K: super-blocks of 256 in 16 sub-blocks of 16. Bytes 0..127: ql, low 4 bits; bytes 128..191: qh, high
 * 2 bits; bytes 192..207: signed 8-bit scales; bytes 208..209: fp16 d. value = d * scale * (q - 32).
 * Half h (128 elements) uses ql bytes 64h.., qh bytes 32h.. and scales 8h..; its elements l, 32 + l, 64 + l
 * and 96 + l (l < 32) take their low bits from the low nibble of ql[l], the low nibble of ql[32 + l], the
 * high nibble of ql[l] and the high nibble of ql[32 + l], and their high bits from bit pairs 0, 1, 2, 3 of qh[l].
 */
public final class Q6_KFormat implements BlockFormat {
    public static final Q6_KFormat INSTANCE = new Q6_KFormat();

    private static final int BLOCK = 256;
    private static final int BYTES = 210;

    private Q6_KFormat() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q6_K;
    }

    @Override
    public void dequantize(MemorySegment src, long srcByteOffset, float[] dst, int dstOffset, int count) {
        int blocks = Blocks.count(type(), count);
        for (int b = 0; b < blocks; b++) {
            long block = srcByteOffset + (long) b * BYTES;
            float d = LittleEndian.half(src, block + 208);
            for (int half = 0; half < 2; half++) {
                long low = block + 64 * half;
                long high = block + 128 + 32 * half;
                long scales = block + 192 + 8 * half;
                int out = dstOffset + b * BLOCK + 128 * half;
                for (int l = 0; l < 32; l++) {
                    int q01 = LittleEndian.ubyte(src, low + l);
                    int q23 = LittleEndian.ubyte(src, low + 32 + l);
                    int h = LittleEndian.ubyte(src, high + l);
                    int s = l / 16;
                    dst[out + l] = d * scale(src, scales + s) * (((q01 & 0xF) | (h & 3) << 4) - 32);
                    dst[out + 32 + l] = d * scale(src, scales + s + 2) * (((q23 & 0xF) | (h >>> 2 & 3) << 4) - 32);
                    dst[out + 64 + l] = d * scale(src, scales + s + 4) * (((q01 >>> 4) | (h >>> 4 & 3) << 4) - 32);
                    dst[out + 96 + l] = d * scale(src, scales + s + 6) * (((q23 >>> 4) | (h >>> 6) << 4) - 32);
                }
            }
        }
    }

    private static int scale(MemorySegment src, long offset) {
        return src.get(ValueLayout.JAVA_BYTE, offset);
    }

    /**
     * None by MatMul: the kernel quantizes its activations to Q8_K itself and keeps them as integers
     * ({@link KQuantDot}), in both MatMul modes, as llama.cpp has no other K-quant dot.
     */
    @Override
    public ActivationRounding activationRounding() {
        return ActivationRounding.NONE;
    }

    /** ggml_vec_dot_q6_k_q8_k's arithmetic: {@link KQuantDot}. */
    @Override
    public void multiplyRows(MemorySegment w, long rowBytes, int cols, float[] x, int xOffset, int batch,
                             float[] out, int outOffset, int outStride, int rowStart, int rowEnd, float[] scratch) {
        KQuantDot.multiplyRows(type(), w, rowBytes, cols, x, xOffset, batch, out, outOffset, outStride, rowStart, rowEnd);
    }
}
