package io.starling.tensor;

import io.starling.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * Q4_1: blocks of 32 as fp16 scale d, fp16 offset m and 16 bytes of nibbles (element j low, j + 16 high);
 * value = q * d + m.
 */
public final class Q4_1Format implements Quantizer {
    public static final Q4_1Format INSTANCE = new Q4_1Format();

    private static final int BLOCK = 32;
    private static final int BYTES = 20;

    private Q4_1Format() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q4_1;
    }

    @Override
    public void dequantize(MemorySegment src, long srcByteOffset, float[] dst, int dstOffset, int count) {
        int blocks = Blocks.count(type(), count);
        for (int b = 0; b < blocks; b++) {
            long block = srcByteOffset + (long) b * BYTES;
            float d = LittleEndian.half(src, block);
            float m = LittleEndian.half(src, block + 2);
            int out = dstOffset + b * BLOCK;
            for (int j = 0; j < 16; j++) {
                int q = LittleEndian.ubyte(src, block + 4 + j);
                dst[out + j] = (q & 0xF) * d + m;
                dst[out + j + 16] = (q >>> 4) * d + m;
            }
        }
    }

    /** As quantize_row_q4_1_ref: m = min, d = (max - min) / 15, q = min(15, trunc((x - min) / d + 0.5)). */
    @Override
    public void quantize(float[] src, int srcOffset, int count, MemorySegment dst, long dstByteOffset) {
        int blocks = Blocks.count(type(), count);
        for (int b = 0; b < blocks; b++) {
            int in = srcOffset + b * BLOCK;
            long block = dstByteOffset + (long) b * BYTES;
            float min = BlockScan.min(src, in, BLOCK);
            float d = (BlockScan.max(src, in, BLOCK) - min) / 15;
            float id = d != 0 ? 1.0f / d : 0.0f;
            LittleEndian.putHalf(dst, block, d);
            LittleEndian.putHalf(dst, block + 2, min);
            for (int j = 0; j < 16; j++) {
                int lo = Math.min(15, (int) ((src[in + j] - min) * id + 0.5f));
                int hi = Math.min(15, (int) ((src[in + j + 16] - min) * id + 0.5f));
                LittleEndian.putByte(dst, block + 4 + j, lo | hi << 4);
            }
        }
    }

    /**
     * None by MatMul: like Q5_1, this kernel quantizes the activations itself to Q8_1, because llama.cpp's
     * ggml_vec_dot_q4_1_q8_1 adds m * s with the block sum s = fp16(d * sum(q)), which a rounding of x cannot give.
     */
    @Override
    public ActivationRounding activationRounding() {
        return ActivationRounding.NONE;
    }

    /** ggml_vec_dot_q4_1_q8_1 for every row and token: see {@link Q8_1Activations#multiplyRowsWithOffsets}. */
    @Override
    public void multiplyRows(MemorySegment w, long rowBytes, int cols, float[] x, int xOffset, int batch,
                             float[] out, int outOffset, int outStride, int rowStart, int rowEnd, float[] scratch) {
        Q8_1Activations.multiplyRowsWithOffsets(Q4_1Format::decodeRow, w, rowBytes, cols, x, xOffset, batch, out, outOffset,
                outStride, rowStart, rowEnd);
    }

    /** Row quants (0..15) and per-block d, m. */
    private static void decodeRow(MemorySegment w, long row, int blocks, int[] quants, float[] scales) {
        for (int i = 0; i < blocks; i++) {
            long block = row + (long) i * BYTES;
            scales[2 * i] = LittleEndian.half(w, block);
            scales[2 * i + 1] = LittleEndian.half(w, block + 2);
            for (int j = 0; j < 16; j++) {
                int packed = LittleEndian.ubyte(w, block + 4 + j);
                quants[i * BLOCK + j] = packed & 0xF;
                quants[i * BLOCK + j + 16] = packed >>> 4;
            }
        }
    }
}
