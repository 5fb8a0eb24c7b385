package io.starling.tensor;

import io.starling.gguf.GgmlType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Q8_K: super-blocks of 256 as a float32 scale d, 256 signed bytes q and sixteen int16 sums of q over each
 * group of 16 (the sums let K-quant dot products fold in the mins cheaply). value = q * d. ggml uses it
 * for activations, never for weights in files.
 */
public final class Q8_KFormat implements Quantizer {
    public static final Q8_KFormat INSTANCE = new Q8_KFormat();

    private static final int BLOCK = 256;
    private static final int BYTES = 292;
    private static final int SUMS = 4 + BLOCK;

    private Q8_KFormat() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q8_K;
    }

    @Override
    public void dequantize(MemorySegment src, long srcByteOffset, float[] dst, int dstOffset, int count) {
        int blocks = Blocks.count(type(), count);
        for (int b = 0; b < blocks; b++) {
            long block = srcByteOffset + (long) b * BYTES;
            float d = src.get(LittleEndian.FLOAT, block);
            int out = dstOffset + b * BLOCK;
            for (int j = 0; j < BLOCK; j++) {
                dst[out + j] = src.get(ValueLayout.JAVA_BYTE, block + 4 + j) * d;
            }
        }
    }

    /**
     * As quantize_row_q8_K_ref: the element of largest magnitude maps to -127 (so d has the opposite sign of
     * that element), q = min(127, nearest-even(x * -127 / max)); an all-zero block gets d = 0 and zero sums.
     */
    @Override
    public void quantize(float[] src, int srcOffset, int count, MemorySegment dst, long dstByteOffset) {
        int blocks = Blocks.count(type(), count);
        for (int b = 0; b < blocks; b++) {
            int in = srcOffset + b * BLOCK;
            long block = dstByteOffset + (long) b * BYTES;
            float max = BlockScan.signedAbsMax(src, in, BLOCK);
            float iscale = max != 0 ? -127.0f / max : 0.0f;
            dst.set(LittleEndian.FLOAT, block, max != 0 ? 1 / iscale : 0.0f);
            for (int group = 0; group < BLOCK / 16; group++) {
                int sum = 0;
                for (int j = 16 * group; j < 16 * group + 16; j++) {
                    int q = Math.min(127, GgmlRounding.nearestEven(iscale * src[in + j]));
                    LittleEndian.putByte(dst, block + 4 + j, q);
                    sum += q;
                }
                dst.set(LittleEndian.SHORT, block + SUMS + 2L * group, (short) sum);
            }
        }
    }
}
