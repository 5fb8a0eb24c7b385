package io.starling.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static io.starling.tensor.Vectors.B16;
import static io.starling.tensor.Vectors.F;
import static io.starling.tensor.Vectors.L;
import static io.starling.tensor.Vectors.PARTS16;

/**
 * Fused Vector API kernels for the 32-element block formats whose quants fit one or two 16-byte vectors:
 * Q4_0 (nibbles: low halves are elements 0..15, high halves 16..31), Q4_1 (the same plus a min) and Q8_0 (two
 * runs of 16 signed bytes). A block is loaded as bytes, split into its two 16-element halves ("lo" for elements
 * 0..15, "hi" for 16..31), widened to floats, scaled (and offset) once, and multiplied into the activations of
 * up to four tokens, or of one token for four rows at once, keeping eight independent accumulators so FMA
 * latency does not bound the loop.
 *
 * <p>The activations arrive rounded to Q8_0 values (see {@link ActivationRounding}); products of those with the
 * decoded weights are small integers times scales, so these float sums are llama.cpp's integer dot products up
 * to float rounding. The format branch is a per-block switch on a constant per call; it predicts perfectly.
 */
final class Q32Kernels {
    static final int Q4_0 = 0;
    static final int Q8_0 = 1;
    static final int Q4_1 = 2;

    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** Tokens whose activations are kept hot while one row's blocks are reused for all of them. */
    private static final int TOKEN_CHUNK_BYTES = 192 * 1024;

    private Q32Kernels() {
    }

    static int blockBytes(int kind) {
        return switch (kind) {
            case Q4_0 -> 18;
            case Q8_0 -> 34;
            case Q4_1 -> 20;
            default -> throw new IllegalArgumentException("kind " + kind);
        };
    }

    static void multiplyRows(int kind, MemorySegment w, long rowBytes, int cols, float[] x, int xOffset, int batch,
                             float[] out, int outOffset, int outStride, int rowStart, int rowEnd) {
        int blocks = cols / 32;
        int full = batch & ~3;
        if (full > 0) {
            int chunk = Math.max(4, (TOKEN_CHUNK_BYTES / (cols * 4)) & ~3);
            for (int t0 = 0; t0 < full; t0 += chunk) {
                int t1 = Math.min(full, t0 + chunk);
                for (int r = rowStart; r < rowEnd; r++) {
                    for (int b = t0; b < t1; b += 4) {
                        tokens4(kind, w, r * rowBytes, blocks, x, xOffset + b * cols, cols, out, outOffset + b * outStride + r, outStride);
                    }
                }
            }
        }
        for (int b = full; b < batch; b++) {
            int xo = xOffset + b * cols;
            int o = outOffset + b * outStride;
            int r = rowStart;
            for (; r + 4 <= rowEnd; r += 4) {
                rows4(kind, w, r * rowBytes, rowBytes, blocks, x, xo, out, o + r);
            }
            for (; r < rowEnd; r++) {
                out[o + r] = row1(kind, w, r * rowBytes, blocks, x, xo);
            }
        }
    }

    private static ByteVector lo(int kind, MemorySegment w, long block) {
        return switch (kind) {
            case Q4_0 -> ByteVector.fromMemorySegment(B16, w, block + 2, LE).and((byte) 0x0F).sub((byte) 8);
            case Q4_1 -> ByteVector.fromMemorySegment(B16, w, block + 4, LE).and((byte) 0x0F);
            default -> ByteVector.fromMemorySegment(B16, w, block + 2, LE);
        };
    }

    private static ByteVector hi(int kind, MemorySegment w, long block) {
        return switch (kind) {
            case Q4_0 -> ByteVector.fromMemorySegment(B16, w, block + 2, LE).lanewise(VectorOperators.LSHR, 4).sub((byte) 8);
            case Q4_1 -> ByteVector.fromMemorySegment(B16, w, block + 4, LE).lanewise(VectorOperators.LSHR, 4);
            default -> ByteVector.fromMemorySegment(B16, w, block + 18, LE);
        };
    }

    private static float min(int kind, MemorySegment w, long block) {
        return kind == Q4_1 ? LittleEndian.half(w, block + 2) : 0f;
    }

    private static FloatVector widen(ByteVector q, int part, float d, float m) {
        FloatVector v = (FloatVector) q.convertShape(VectorOperators.B2F, F, part);
        return v.fma(d, m);
    }

    /** One row, four tokens at x[x0], x[x0 + cols], ...; writes out[o], out[o + outStride], ... */
    private static void tokens4(int kind, MemorySegment w, long row, int blocks, float[] x, int x0, int cols,
                                float[] out, int o, int outStride) {
        int bytes = blockBytes(kind);
        FloatVector l0 = FloatVector.zero(F);
        FloatVector l1 = l0, l2 = l0, l3 = l0, h0 = l0, h1 = l0, h2 = l0, h3 = l0;
        int x1 = x0 + cols;
        int x2 = x1 + cols;
        int x3 = x2 + cols;
        for (int k = 0; k < blocks; k++) {
            long block = row + (long) k * bytes;
            float d = LittleEndian.half(w, block);
            float m = min(kind, w, block);
            ByteVector lo = lo(kind, w, block);
            ByteVector hi = hi(kind, w, block);
            int xb = k * 32;
            for (int p = 0; p < PARTS16; p++) {
                FloatVector wl = widen(lo, p, d, m);
                FloatVector wh = widen(hi, p, d, m);
                int e = xb + p * L;
                l0 = wl.fma(FloatVector.fromArray(F, x, x0 + e), l0);
                h0 = wh.fma(FloatVector.fromArray(F, x, x0 + e + 16), h0);
                l1 = wl.fma(FloatVector.fromArray(F, x, x1 + e), l1);
                h1 = wh.fma(FloatVector.fromArray(F, x, x1 + e + 16), h1);
                l2 = wl.fma(FloatVector.fromArray(F, x, x2 + e), l2);
                h2 = wh.fma(FloatVector.fromArray(F, x, x2 + e + 16), h2);
                l3 = wl.fma(FloatVector.fromArray(F, x, x3 + e), l3);
                h3 = wh.fma(FloatVector.fromArray(F, x, x3 + e + 16), h3);
            }
        }
        out[o] = l0.add(h0).reduceLanes(VectorOperators.ADD);
        out[o + outStride] = l1.add(h1).reduceLanes(VectorOperators.ADD);
        out[o + 2 * outStride] = l2.add(h2).reduceLanes(VectorOperators.ADD);
        out[o + 3 * outStride] = l3.add(h3).reduceLanes(VectorOperators.ADD);
    }

    /** Four rows from byte row0, one token at x[xo]; writes out[o .. o + 3]. */
    private static void rows4(int kind, MemorySegment w, long row0, long rowBytes, int blocks, float[] x, int xo,
                              float[] out, int o) {
        int bytes = blockBytes(kind);
        FloatVector l0 = FloatVector.zero(F);
        FloatVector l1 = l0, l2 = l0, l3 = l0, h0 = l0, h1 = l0, h2 = l0, h3 = l0;
        long row1 = row0 + rowBytes;
        long row2 = row1 + rowBytes;
        long row3 = row2 + rowBytes;
        for (int k = 0; k < blocks; k++) {
            long kb = (long) k * bytes;
            long b0 = row0 + kb;
            long b1 = row1 + kb;
            long b2 = row2 + kb;
            long b3 = row3 + kb;
            float d0 = LittleEndian.half(w, b0);
            float d1 = LittleEndian.half(w, b1);
            float d2 = LittleEndian.half(w, b2);
            float d3 = LittleEndian.half(w, b3);
            float m0 = min(kind, w, b0);
            float m1 = min(kind, w, b1);
            float m2 = min(kind, w, b2);
            float m3 = min(kind, w, b3);
            ByteVector lo0 = lo(kind, w, b0), hi0 = hi(kind, w, b0);
            ByteVector lo1 = lo(kind, w, b1), hi1 = hi(kind, w, b1);
            ByteVector lo2 = lo(kind, w, b2), hi2 = hi(kind, w, b2);
            ByteVector lo3 = lo(kind, w, b3), hi3 = hi(kind, w, b3);
            int xb = xo + k * 32;
            for (int p = 0; p < PARTS16; p++) {
                int e = xb + p * L;
                FloatVector xl = FloatVector.fromArray(F, x, e);
                FloatVector xh = FloatVector.fromArray(F, x, e + 16);
                l0 = widen(lo0, p, d0, m0).fma(xl, l0);
                h0 = widen(hi0, p, d0, m0).fma(xh, h0);
                l1 = widen(lo1, p, d1, m1).fma(xl, l1);
                h1 = widen(hi1, p, d1, m1).fma(xh, h1);
                l2 = widen(lo2, p, d2, m2).fma(xl, l2);
                h2 = widen(hi2, p, d2, m2).fma(xh, h2);
                l3 = widen(lo3, p, d3, m3).fma(xl, l3);
                h3 = widen(hi3, p, d3, m3).fma(xh, h3);
            }
        }
        out[o] = l0.add(h0).reduceLanes(VectorOperators.ADD);
        out[o + 1] = l1.add(h1).reduceLanes(VectorOperators.ADD);
        out[o + 2] = l2.add(h2).reduceLanes(VectorOperators.ADD);
        out[o + 3] = l3.add(h3).reduceLanes(VectorOperators.ADD);
    }

    private static float row1(int kind, MemorySegment w, long row, int blocks, float[] x, int xo) {
        int bytes = blockBytes(kind);
        FloatVector l = FloatVector.zero(F);
        FloatVector h = l;
        for (int k = 0; k < blocks; k++) {
            long block = row + (long) k * bytes;
            float d = LittleEndian.half(w, block);
            float m = min(kind, w, block);
            ByteVector lo = lo(kind, w, block);
            ByteVector hi = hi(kind, w, block);
            int xb = xo + k * 32;
            for (int p = 0; p < PARTS16; p++) {
                int e = xb + p * L;
                l = widen(lo, p, d, m).fma(FloatVector.fromArray(F, x, e), l);
                h = widen(hi, p, d, m).fma(FloatVector.fromArray(F, x, e + 16), h);
            }
        }
        return l.add(h).reduceLanes(VectorOperators.ADD);
    }
}
