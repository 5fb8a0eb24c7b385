package io.starling.tensor;

import io.starling.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * Q5_1: blocks of 32 as fp16 scale d, fp16 offset m, a little-endian 32-bit word of fifth bits (bit i for
 * element i) and 16 bytes of low nibbles (element j low, j + 16 high); value = q * d + m.
 */
public final class Q5_1Format implements Quantizer {
    public static final Q5_1Format INSTANCE = new Q5_1Format();

    private static final int BLOCK = 32;
    private static final int BYTES = 24;

    private Q5_1Format() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q5_1;
    }

    @Override
    public void dequantize(MemorySegment src, long srcByteOffset, float[] dst, int dstOffset, int count) {
        int blocks = Blocks.count(type(), count);
        for (int b = 0; b < blocks; b++) {
            long block = srcByteOffset + (long) b * BYTES;
            float d = LittleEndian.half(src, block);
            float m = LittleEndian.half(src, block + 2);
            int qh = src.get(LittleEndian.INT, block + 4);
            int out = dstOffset + b * BLOCK;
            for (int j = 0; j < 16; j++) {
                int q = LittleEndian.ubyte(src, block + 8 + j);
                int lo = (q & 0xF) | ((qh >>> j) & 1) << 4;
                int hi = (q >>> 4) | ((qh >>> (j + 16)) & 1) << 4;
                dst[out + j] = lo * d + m;
                dst[out + j + 16] = hi * d + m;
            }
        }
    }

    /**
     * As quantize_row_q5_1_ref: m = min, d = (max - min) / 31, q = trunc((x - min) / d + 0.5) kept to its low
     * byte (ggml has no clamp here; the scale keeps q within 0..31 for finite input).
     */
    @Override
    public void quantize(float[] src, int srcOffset, int count, MemorySegment dst, long dstByteOffset) {
        int blocks = Blocks.count(type(), count);
        for (int b = 0; b < blocks; b++) {
            int in = srcOffset + b * BLOCK;
            long block = dstByteOffset + (long) b * BYTES;
            float min = BlockScan.min(src, in, BLOCK);
            float d = (BlockScan.max(src, in, BLOCK) - min) / 31;
            float id = d != 0 ? 1.0f / d : 0.0f;
            LittleEndian.putHalf(dst, block, d);
            LittleEndian.putHalf(dst, block + 2, min);
            int qh = 0;
            for (int j = 0; j < 16; j++) {
                int lo = (int) ((src[in + j] - min) * id + 0.5f) & 0xFF;
                int hi = (int) ((src[in + j + 16] - min) * id + 0.5f) & 0xFF;
                LittleEndian.putByte(dst, block + 8 + j, (lo & 0xF) | (hi & 0xF) << 4);
                qh |= ((lo >>> 4) & 1) << j | ((hi >>> 4) & 1) << (j + 16);
            }
            dst.set(LittleEndian.INT, block + 4, qh);
        }
    }

    /**
     * None by MatMul: this kernel quantizes the activations itself, to Q8_1 ({@link Q8_1Activations}), whose
     * block sums are not a rounding of x. It does so in both MatMul modes, as llama.cpp has no other Q5_1 dot.
     */
    @Override
    public ActivationRounding activationRounding() {
        return ActivationRounding.NONE;
    }

    /** ggml_vec_dot_q5_1_q8_1 for every row and token: see {@link Q8_1Activations#multiplyRowsWithOffsets}. */
    @Override
    public void multiplyRows(MemorySegment w, long rowBytes, int cols, float[] x, int xOffset, int batch,
                             float[] out, int outOffset, int outStride, int rowStart, int rowEnd, float[] scratch) {
        Q8_1Activations.multiplyRowsWithOffsets(Q5_1Format::decodeRow, w, rowBytes, cols, x, xOffset, batch, out, outOffset,
                outStride, rowStart, rowEnd);
    }

    /** Row quants (0..31) and per-block d, m. */
    private static void decodeRow(MemorySegment w, long row, int blocks, int[] quants, float[] scales) {
        for (int i = 0; i < blocks; i++) {
            long block = row + (long) i * BYTES;
            scales[2 * i] = LittleEndian.half(w, block);
            scales[2 * i + 1] = LittleEndian.half(w, block + 2);
            int qh = w.get(LittleEndian.INT, block + 4);
            for (int j = 0; j < 16; j++) {
                int packed = LittleEndian.ubyte(w, block + 8 + j);
                quants[i * BLOCK + j] = (packed & 0xF) | ((qh >>> j) & 1) << 4;
                quants[i * BLOCK + j + 16] = (packed >>> 4) | ((qh >>> (j + 16)) & 1) << 4;
            }
        }
    }
}
