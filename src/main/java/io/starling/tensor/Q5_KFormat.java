package io.starling.tensor;

import io.starling.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * Q5_K: Q4_K plus a fifth bit. Bytes 0..3: fp16 d and dmin; bytes 4..15: 6-bit scales and mins
 * ({@link KScales}); bytes 16..47: qh; bytes 48..175: low nibbles laid out as in Q4_K. The fifth bit of
 * element 64 * c + l (l < 32) is bit 2c of qh byte l, of element 64 * c + 32 + l bit 2c + 1.
 * value = d * scale * q - dmin * min.
 */
public final class Q5_KFormat implements BlockFormat {
    public static final Q5_KFormat INSTANCE = new Q5_KFormat();

    private static final int BLOCK = 256;
    private static final int BYTES = 176;

    private Q5_KFormat() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q5_K;
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
                long quants = block + 48 + 32 * chunk;
                float lowScale = d * KScales.scale(src, block + 4, 2 * chunk);
                float lowMin = dmin * KScales.min(src, block + 4, 2 * chunk);
                float highScale = d * KScales.scale(src, block + 4, 2 * chunk + 1);
                float highMin = dmin * KScales.min(src, block + 4, 2 * chunk + 1);
                for (int l = 0; l < 32; l++) {
                    int q = LittleEndian.ubyte(src, quants + l);
                    int fifth = LittleEndian.ubyte(src, block + 16 + l) >>> (2 * chunk);
                    dst[out + l] = lowScale * ((q & 0xF) | (fifth & 1) << 4) - lowMin;
                    dst[out + 32 + l] = highScale * ((q >>> 4) | (fifth & 2) << 3) - highMin;
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

    /** ggml_vec_dot_q5_k_q8_k's arithmetic: {@link KQuantDot}. */
    @Override
    public void multiplyRows(MemorySegment w, long rowBytes, int cols, float[] x, int xOffset, int batch,
                             float[] out, int outOffset, int outStride, int rowStart, int rowEnd, float[] scratch) {
        KQuantDot.multiplyRows(type(), w, rowBytes, cols, x, xOffset, batch, out, outOffset, outStride, rowStart, rowEnd);
    }
}
