package io.starling.tensor;

import io.starling.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * Q5_0: blocks of 32 as fp16 scale d, a little-endian 32-bit word qh whose bit i is the fifth bit of element i,
 * and 16 bytes of low nibbles (element j low, j + 16 high); value = (q - 16) * d.
 */
public final class Q5_0Format implements Quantizer {
    public static final Q5_0Format INSTANCE = new Q5_0Format();

    private static final int BLOCK = 32;
    private static final int BYTES = 22;

    private Q5_0Format() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q5_0;
    }

    @Override
    public void dequantize(MemorySegment src, long srcByteOffset, float[] dst, int dstOffset, int count) {
        int blocks = Blocks.count(type(), count);
        for (int b = 0; b < blocks; b++) {
            long block = srcByteOffset + (long) b * BYTES;
            float d = LittleEndian.half(src, block);
            int qh = src.get(LittleEndian.INT, block + 2);
            int out = dstOffset + b * BLOCK;
            for (int j = 0; j < 16; j++) {
                int q = LittleEndian.ubyte(src, block + 6 + j);
                int lo = (q & 0xF) | ((qh >>> j) & 1) << 4;
                int hi = (q >>> 4) | ((qh >>> (j + 16)) & 1) << 4;
                dst[out + j] = (lo - 16) * d;
                dst[out + j + 16] = (hi - 16) * d;
            }
        }
    }

    /** As quantize_row_q5_0_ref: d = max / -16 (largest magnitude maps to -16), q = min(31, trunc(x / d + 16.5)). */
    @Override
    public void quantize(float[] src, int srcOffset, int count, MemorySegment dst, long dstByteOffset) {
        int blocks = Blocks.count(type(), count);
        for (int b = 0; b < blocks; b++) {
            int in = srcOffset + b * BLOCK;
            long block = dstByteOffset + (long) b * BYTES;
            float d = BlockScan.signedAbsMax(src, in, BLOCK) / -16;
            float id = d != 0 ? 1.0f / d : 0.0f;
            LittleEndian.putHalf(dst, block, d);
            int qh = 0;
            for (int j = 0; j < 16; j++) {
                int lo = Math.min(31, (int) (src[in + j] * id + 16.5f));
                int hi = Math.min(31, (int) (src[in + j + 16] * id + 16.5f));
                LittleEndian.putByte(dst, block + 6 + j, (lo & 0xF) | (hi & 0xF) << 4);
                qh |= (lo >>> 4) << j | (hi >>> 4) << (j + 16);
            }
            dst.set(LittleEndian.INT, block + 2, qh);
        }
    }

    /**
     * None by MatMul: the kernel quantizes its activations to Q8_0 itself and keeps the integers (the same quants
     * and fp16 d as {@link ActivationRounding#Q8_0}), to sum as ggml does; in both MatMul modes.
     */
    @Override
    public ActivationRounding activationRounding() {
        return ActivationRounding.NONE;
    }

    /**
     * ggml_vec_dot_q5_0_q8_0 (AVX2; llamafile's tinyBLAS computes the same for prompt batches) for every row and
     * token: per block, eight int32 lanes each summing four consecutive products of signed quants, added by
     * FMA with fp16(dx) * fp16(dy) into eight float lanes, tree-summed at the end.
     */
    @Override
    public void multiplyRows(MemorySegment w, long rowBytes, int cols, float[] x, int xOffset, int batch,
                             float[] out, int outOffset, int outStride, int rowStart, int rowEnd, float[] scratch) {
        Q8_1Activations a = Q8_1Activations.local();
        a.quantize(x, xOffset, batch * cols);
        int blocks = cols / BLOCK;
        int[] quants = a.rowQuants(cols);
        float[] scales = a.rowScales(blocks);
        float[] acc = a.lanes;
        for (int r = rowStart; r < rowEnd; r++) {
            long row = r * rowBytes;
            for (int i = 0; i < blocks; i++) {
                long block = row + (long) i * BYTES;
                scales[i] = LittleEndian.half(w, block);
                int qh = w.get(LittleEndian.INT, block + 2);
                for (int j = 0; j < 16; j++) {
                    int q = LittleEndian.ubyte(w, block + 6 + j);
                    quants[i * BLOCK + j] = ((q & 0xF) | ((qh >>> j) & 1) << 4) - 16;
                    quants[i * BLOCK + j + 16] = ((q >>> 4) | ((qh >>> (j + 16)) & 1) << 4) - 16;
                }
            }
            for (int b = 0; b < batch; b++) {
                java.util.Arrays.fill(acc, 0f);
                int yb = b * blocks;
                for (int i = 0; i < blocks; i++) {
                    float d = scales[i] * a.d[yb + i];
                    int qx = i * BLOCK;
                    int qy = (yb + i) * BLOCK;
                    for (int lane = 0; lane < 8; lane++) {
                        int sum = 0;
                        for (int j = 4 * lane; j < 4 * lane + 4; j++) {
                            sum += quants[qx + j] * a.q[qy + j];
                        }
                        acc[lane] = Math.fma(d, (float) sum, acc[lane]);
                    }
                }
                out[outOffset + b * outStride + r] = GgmlDot.tree(acc, 8);
            }
        }
    }
}
