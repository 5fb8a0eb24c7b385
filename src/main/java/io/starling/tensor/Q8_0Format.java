package io.starling.tensor;

import io.starling.gguf.GgmlType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Q8_0: blocks of 32 as an fp16 scale d and 32 signed bytes q; value = q * d. */
public final class Q8_0Format implements Quantizer {
    public static final Q8_0Format INSTANCE = new Q8_0Format();

    private static final int BLOCK = 32;
    private static final int BYTES = 34;

    private Q8_0Format() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q8_0;
    }

    @Override
    public void dequantize(MemorySegment src, long srcByteOffset, float[] dst, int dstOffset, int count) {
        int blocks = Blocks.count(type(), count);
        for (int b = 0; b < blocks; b++) {
            long block = srcByteOffset + (long) b * BYTES;
            float d = LittleEndian.half(src, block);
            int out = dstOffset + b * BLOCK;
            for (int j = 0; j < BLOCK; j++) {
                dst[out + j] = src.get(ValueLayout.JAVA_BYTE, block + 2 + j) * d;
            }
        }
    }

    /** As quantize_row_q8_0_ref: d = amax / 127, q = roundf(x / d) with 1/d taken from the unrounded d. */
    @Override
    public void quantize(float[] src, int srcOffset, int count, MemorySegment dst, long dstByteOffset) {
        int blocks = Blocks.count(type(), count);
        for (int b = 0; b < blocks; b++) {
            int in = srcOffset + b * BLOCK;
            long block = dstByteOffset + (long) b * BYTES;
            float d = Math.abs(BlockScan.signedAbsMax(src, in, BLOCK)) / 127;
            float id = d != 0 ? 1.0f / d : 0.0f;
            LittleEndian.putHalf(dst, block, d);
            for (int j = 0; j < BLOCK; j++) {
                LittleEndian.putByte(dst, block + 2 + j, GgmlRounding.roundHalfAwayFromZero(src[in + j] * id));
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
        Q32Kernels.bytes(w, rowBytes, cols, x, xOffset, batch, out, outOffset, outStride, rowStart, rowEnd);
    }

    @Override
    public boolean hasFusedKernel() {
        return true;
    }
}
