package io.starling.tensor;

import io.starling.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * Q4_0: blocks of 32 as an fp16 scale d and 16 bytes of nibbles; byte j holds element j in its low nibble and
 * element j + 16 in its high nibble; value = (q - 8) * d.
 */
public final class Q4_0Format implements Quantizer {
    public static final Q4_0Format INSTANCE = new Q4_0Format();

    private static final int BLOCK = 32;
    private static final int BYTES = 18;

    private Q4_0Format() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q4_0;
    }

    @Override
    public void dequantize(MemorySegment src, long srcByteOffset, float[] dst, int dstOffset, int count) {
        int blocks = Blocks.count(type(), count);
        for (int b = 0; b < blocks; b++) {
            long block = srcByteOffset + (long) b * BYTES;
            float d = LittleEndian.half(src, block);
            int out = dstOffset + b * BLOCK;
            for (int j = 0; j < 16; j++) {
                int q = LittleEndian.ubyte(src, block + 2 + j);
                dst[out + j] = ((q & 0xF) - 8) * d;
                dst[out + j + 16] = ((q >>> 4) - 8) * d;
            }
        }
    }

    /**
     * As quantize_row_q4_0_ref: the element of largest magnitude maps to -8 exactly (d = max / -8), so the
     * opposite end can use +7; q = min(15, trunc(x / d + 8.5)).
     */
    @Override
    public void quantize(float[] src, int srcOffset, int count, MemorySegment dst, long dstByteOffset) {
        int blocks = Blocks.count(type(), count);
        for (int b = 0; b < blocks; b++) {
            int in = srcOffset + b * BLOCK;
            long block = dstByteOffset + (long) b * BYTES;
            float d = BlockScan.signedAbsMax(src, in, BLOCK) / -8;
            float id = d != 0 ? 1.0f / d : 0.0f;
            LittleEndian.putHalf(dst, block, d);
            for (int j = 0; j < 16; j++) {
                int lo = Math.min(15, (int) (src[in + j] * id + 8.5f));
                int hi = Math.min(15, (int) (src[in + j + 16] * id + 8.5f));
                LittleEndian.putByte(dst, block + 2 + j, lo | hi << 4);
            }
        }
    }

    @Override
    public ActivationRounding activationRounding() {
        return ActivationRounding.Q8_0;
    }

    /** Fused Vector API kernel ({@link Q32Kernels}). */
    @Override
    public void multiplyRows(MemorySegment w, long rowBytes, int cols, float[] x, int xOffset, int batch,
                             float[] out, int outOffset, int outStride, int rowStart, int rowEnd, float[] scratch) {
        Q32Kernels.nibbles(w, rowBytes, cols, x, xOffset, batch, out, outOffset, outStride, rowStart, rowEnd);
    }

    @Override
    public boolean hasFusedKernel() {
        return true;
    }
}
