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
 * Q4_0 (nibbles: low halves are elements 0..15, high halves 16..31) and Q8_0 (two runs of 16 signed bytes).
 * (Q4_1 has its own kernel: llama.cpp's Q4_1 dot needs Q8_1 block sums.) A block is loaded as bytes, split into
 * its two 16-element halves ("lo" for elements 0..15, "hi" for 16..31), widened to floats and scaled once
 * ({@code q * d + m} with m = -8d, which is exact),
 * then multiplied into the activations of four tokens, or of one token for four rows at once, with eight
 * independent accumulators so that FMA latency does not bound the loop.
 *
 * <p>The activations arrive rounded to Q8_0 values (see {@link ActivationRounding}); products of those with the
 * decoded weights are small integers times scales, so these float sums are llama.cpp's integer dot products up
 * to float rounding.
 *
 * <p>The code is written out per layout, with no helper returning a vector: a vector that crosses a call C2 did
 * not inline is boxed on the heap, which costs ~50x. Keep it that way.
 */
final class Q32Kernels {
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** Tokens whose activations are kept hot while one row's blocks are reused for all of them. */
    private static final int TOKEN_CHUNK_BYTES = 192 * 1024;

    private Q32Kernels() {
    }

    /** Q4_0: fp16 d at byte 0, quants at byte 2, 18-byte blocks, value (q - 8) d (m = -8d below). */
    static void nibbles(MemorySegment w, long rowBytes, int cols, float[] x, int xOffset, int batch,
                        float[] out, int outOffset, int outStride, int rowStart, int rowEnd) {
        int blocks = cols / 32;
        int full = batch & ~3;
        if (full > 0) {
            int chunk = Math.max(4, (TOKEN_CHUNK_BYTES / (cols * 4)) & ~3);
            for (int t0 = 0; t0 < full; t0 += chunk) {
                int t1 = Math.min(full, t0 + chunk);
                for (int r = rowStart; r < rowEnd; r++) {
                    for (int b = t0; b < t1; b += 4) {
                        nibbleTokens4(w, r * rowBytes, blocks, x, xOffset + b * cols, cols, out, outOffset + b * outStride + r, outStride);
                    }
                }
            }
        }
        for (int b = full; b < batch; b++) {
            int xo = xOffset + b * cols;
            int o = outOffset + b * outStride;
            int r = rowStart;
            for (; r + 4 <= rowEnd; r += 4) {
                nibbleRows4(w, r * rowBytes, rowBytes, blocks, x, xo, out, o + r);
            }
            for (; r < rowEnd; r++) {
                out[o + r] = nibbleRow1(w, r * rowBytes, blocks, x, xo);
            }
        }
    }

    /** Q8_0: 34-byte blocks, fp16 d then 32 signed bytes. */
    static void bytes(MemorySegment w, long rowBytes, int cols, float[] x, int xOffset, int batch,
                      float[] out, int outOffset, int outStride, int rowStart, int rowEnd) {
        int blocks = cols / 32;
        int full = batch & ~3;
        if (full > 0) {
            int chunk = Math.max(4, (TOKEN_CHUNK_BYTES / (cols * 4)) & ~3);
            for (int t0 = 0; t0 < full; t0 += chunk) {
                int t1 = Math.min(full, t0 + chunk);
                for (int r = rowStart; r < rowEnd; r++) {
                    for (int b = t0; b < t1; b += 4) {
                        byteTokens4(w, r * rowBytes, blocks, x, xOffset + b * cols, cols, out, outOffset + b * outStride + r, outStride);
                    }
                }
            }
        }
        for (int b = full; b < batch; b++) {
            int xo = xOffset + b * cols;
            int o = outOffset + b * outStride;
            int r = rowStart;
            for (; r + 4 <= rowEnd; r += 4) {
                byteRows4(w, r * rowBytes, rowBytes, blocks, x, xo, out, o + r);
            }
            for (; r < rowEnd; r++) {
                out[o + r] = byteRow1(w, r * rowBytes, blocks, x, xo);
            }
        }
    }

    /** One row, four tokens at x[x0], x[x0 + cols], ...; writes out[o], out[o + outStride], ... */
    private static void nibbleTokens4(MemorySegment w, long row, int blocks, float[] x, int x0, int cols,
                                float[] out, int o, int outStride) {
        int bytes = 18;
        FloatVector l0 = FloatVector.zero(F);
        FloatVector l1 = l0, l2 = l0, l3 = l0, h0 = l0, h1 = l0, h2 = l0, h3 = l0;
        int x1 = x0 + cols;
        int x2 = x1 + cols;
        int x3 = x2 + cols;
        for (int k = 0; k < blocks; k++) {
            long block = row + (long) k * bytes;
            float d = LittleEndian.half(w, block);
            float m = -8 * d;
            ByteVector raw = ByteVector.fromMemorySegment(B16, w, block + 2, LE);
            ByteVector lo = raw.and((byte) 0x0F);
            ByteVector hi = raw.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F);
            int xb = k * 32;
            for (int p = 0; p < PARTS16; p++) {
                FloatVector wl = ((FloatVector) lo.convertShape(VectorOperators.B2F, F, p)).fma(d, m);
                FloatVector wh = ((FloatVector) hi.convertShape(VectorOperators.B2F, F, p)).fma(d, m);
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
        out[o] = Vectors.sum(l0.add(h0));
        out[o + outStride] = Vectors.sum(l1.add(h1));
        out[o + 2 * outStride] = Vectors.sum(l2.add(h2));
        out[o + 3 * outStride] = Vectors.sum(l3.add(h3));
    }

    /** Four rows from byte row0, one token at x[xo]; writes out[o .. o + 3]. */
    private static void nibbleRows4(MemorySegment w, long row0, long rowBytes, int blocks, float[] x, int xo,
                              float[] out, int o) {
        int bytes = 18;
        FloatVector l0 = FloatVector.zero(F);
        FloatVector l1 = l0, l2 = l0, l3 = l0, h0 = l0, h1 = l0, h2 = l0, h3 = l0;
        for (int k = 0; k < blocks; k++) {
            long b0 = row0 + (long) k * bytes;
            long b1 = b0 + rowBytes;
            long b2 = b1 + rowBytes;
            long b3 = b2 + rowBytes;
            float d0 = LittleEndian.half(w, b0);
            float m0 = -8 * d0;
            ByteVector raw0 = ByteVector.fromMemorySegment(B16, w, b0 + 2, LE);
            ByteVector lo0 = raw0.and((byte) 0x0F);
            ByteVector hi0 = raw0.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F);
            float d1 = LittleEndian.half(w, b1);
            float m1 = -8 * d1;
            ByteVector raw1 = ByteVector.fromMemorySegment(B16, w, b1 + 2, LE);
            ByteVector lo1 = raw1.and((byte) 0x0F);
            ByteVector hi1 = raw1.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F);
            float d2 = LittleEndian.half(w, b2);
            float m2 = -8 * d2;
            ByteVector raw2 = ByteVector.fromMemorySegment(B16, w, b2 + 2, LE);
            ByteVector lo2 = raw2.and((byte) 0x0F);
            ByteVector hi2 = raw2.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F);
            float d3 = LittleEndian.half(w, b3);
            float m3 = -8 * d3;
            ByteVector raw3 = ByteVector.fromMemorySegment(B16, w, b3 + 2, LE);
            ByteVector lo3 = raw3.and((byte) 0x0F);
            ByteVector hi3 = raw3.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F);
            int xb = xo + k * 32;
            for (int p = 0; p < PARTS16; p++) {
                int e = xb + p * L;
                FloatVector xl = FloatVector.fromArray(F, x, e);
                FloatVector xh = FloatVector.fromArray(F, x, e + 16);
                l0 = ((FloatVector) lo0.convertShape(VectorOperators.B2F, F, p)).fma(d0, m0).fma(xl, l0);
                h0 = ((FloatVector) hi0.convertShape(VectorOperators.B2F, F, p)).fma(d0, m0).fma(xh, h0);
                l1 = ((FloatVector) lo1.convertShape(VectorOperators.B2F, F, p)).fma(d1, m1).fma(xl, l1);
                h1 = ((FloatVector) hi1.convertShape(VectorOperators.B2F, F, p)).fma(d1, m1).fma(xh, h1);
                l2 = ((FloatVector) lo2.convertShape(VectorOperators.B2F, F, p)).fma(d2, m2).fma(xl, l2);
                h2 = ((FloatVector) hi2.convertShape(VectorOperators.B2F, F, p)).fma(d2, m2).fma(xh, h2);
                l3 = ((FloatVector) lo3.convertShape(VectorOperators.B2F, F, p)).fma(d3, m3).fma(xl, l3);
                h3 = ((FloatVector) hi3.convertShape(VectorOperators.B2F, F, p)).fma(d3, m3).fma(xh, h3);
            }
        }
        out[o] = Vectors.sum(l0.add(h0));
        out[o + 1] = Vectors.sum(l1.add(h1));
        out[o + 2] = Vectors.sum(l2.add(h2));
        out[o + 3] = Vectors.sum(l3.add(h3));
    }

    private static float nibbleRow1(MemorySegment w, long row, int blocks, float[] x, int xo) {
        int bytes = 18;
        FloatVector l = FloatVector.zero(F);
        FloatVector h = l;
        for (int k = 0; k < blocks; k++) {
            long block = row + (long) k * bytes;
            float d = LittleEndian.half(w, block);
            float m = -8 * d;
            ByteVector raw = ByteVector.fromMemorySegment(B16, w, block + 2, LE);
            ByteVector lo = raw.and((byte) 0x0F);
            ByteVector hi = raw.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F);
            int xb = xo + k * 32;
            for (int p = 0; p < PARTS16; p++) {
                int e = xb + p * L;
                l = ((FloatVector) lo.convertShape(VectorOperators.B2F, F, p)).fma(d, m).fma(FloatVector.fromArray(F, x, e), l);
                h = ((FloatVector) hi.convertShape(VectorOperators.B2F, F, p)).fma(d, m).fma(FloatVector.fromArray(F, x, e + 16), h);
            }
        }
        return Vectors.sum(l.add(h));
    }

    /** One row, four tokens at x[x0], x[x0 + cols], ...; writes out[o], out[o + outStride], ... */
    private static void byteTokens4(MemorySegment w, long row, int blocks, float[] x, int x0, int cols,
                                float[] out, int o, int outStride) {
        int bytes = 34;
        FloatVector l0 = FloatVector.zero(F);
        FloatVector l1 = l0, l2 = l0, l3 = l0, h0 = l0, h1 = l0, h2 = l0, h3 = l0;
        int x1 = x0 + cols;
        int x2 = x1 + cols;
        int x3 = x2 + cols;
        for (int k = 0; k < blocks; k++) {
            long block = row + (long) k * bytes;
            float d = LittleEndian.half(w, block);
            float m = 0f;
            ByteVector lo = ByteVector.fromMemorySegment(B16, w, block + 2, LE);
            ByteVector hi = ByteVector.fromMemorySegment(B16, w, block + 18, LE);
            int xb = k * 32;
            for (int p = 0; p < PARTS16; p++) {
                FloatVector wl = ((FloatVector) lo.convertShape(VectorOperators.B2F, F, p)).fma(d, m);
                FloatVector wh = ((FloatVector) hi.convertShape(VectorOperators.B2F, F, p)).fma(d, m);
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
        out[o] = Vectors.sum(l0.add(h0));
        out[o + outStride] = Vectors.sum(l1.add(h1));
        out[o + 2 * outStride] = Vectors.sum(l2.add(h2));
        out[o + 3 * outStride] = Vectors.sum(l3.add(h3));
    }

    /** Four rows from byte row0, one token at x[xo]; writes out[o .. o + 3]. */
    private static void byteRows4(MemorySegment w, long row0, long rowBytes, int blocks, float[] x, int xo,
                              float[] out, int o) {
        int bytes = 34;
        FloatVector l0 = FloatVector.zero(F);
        FloatVector l1 = l0, l2 = l0, l3 = l0, h0 = l0, h1 = l0, h2 = l0, h3 = l0;
        for (int k = 0; k < blocks; k++) {
            long b0 = row0 + (long) k * bytes;
            long b1 = b0 + rowBytes;
            long b2 = b1 + rowBytes;
            long b3 = b2 + rowBytes;
            float d0 = LittleEndian.half(w, b0);
            float m0 = 0f;
            ByteVector lo0 = ByteVector.fromMemorySegment(B16, w, b0 + 2, LE);
            ByteVector hi0 = ByteVector.fromMemorySegment(B16, w, b0 + 18, LE);
            float d1 = LittleEndian.half(w, b1);
            float m1 = 0f;
            ByteVector lo1 = ByteVector.fromMemorySegment(B16, w, b1 + 2, LE);
            ByteVector hi1 = ByteVector.fromMemorySegment(B16, w, b1 + 18, LE);
            float d2 = LittleEndian.half(w, b2);
            float m2 = 0f;
            ByteVector lo2 = ByteVector.fromMemorySegment(B16, w, b2 + 2, LE);
            ByteVector hi2 = ByteVector.fromMemorySegment(B16, w, b2 + 18, LE);
            float d3 = LittleEndian.half(w, b3);
            float m3 = 0f;
            ByteVector lo3 = ByteVector.fromMemorySegment(B16, w, b3 + 2, LE);
            ByteVector hi3 = ByteVector.fromMemorySegment(B16, w, b3 + 18, LE);
            int xb = xo + k * 32;
            for (int p = 0; p < PARTS16; p++) {
                int e = xb + p * L;
                FloatVector xl = FloatVector.fromArray(F, x, e);
                FloatVector xh = FloatVector.fromArray(F, x, e + 16);
                l0 = ((FloatVector) lo0.convertShape(VectorOperators.B2F, F, p)).fma(d0, m0).fma(xl, l0);
                h0 = ((FloatVector) hi0.convertShape(VectorOperators.B2F, F, p)).fma(d0, m0).fma(xh, h0);
                l1 = ((FloatVector) lo1.convertShape(VectorOperators.B2F, F, p)).fma(d1, m1).fma(xl, l1);
                h1 = ((FloatVector) hi1.convertShape(VectorOperators.B2F, F, p)).fma(d1, m1).fma(xh, h1);
                l2 = ((FloatVector) lo2.convertShape(VectorOperators.B2F, F, p)).fma(d2, m2).fma(xl, l2);
                h2 = ((FloatVector) hi2.convertShape(VectorOperators.B2F, F, p)).fma(d2, m2).fma(xh, h2);
                l3 = ((FloatVector) lo3.convertShape(VectorOperators.B2F, F, p)).fma(d3, m3).fma(xl, l3);
                h3 = ((FloatVector) hi3.convertShape(VectorOperators.B2F, F, p)).fma(d3, m3).fma(xh, h3);
            }
        }
        out[o] = Vectors.sum(l0.add(h0));
        out[o + 1] = Vectors.sum(l1.add(h1));
        out[o + 2] = Vectors.sum(l2.add(h2));
        out[o + 3] = Vectors.sum(l3.add(h3));
    }

    private static float byteRow1(MemorySegment w, long row, int blocks, float[] x, int xo) {
        int bytes = 34;
        FloatVector l = FloatVector.zero(F);
        FloatVector h = l;
        for (int k = 0; k < blocks; k++) {
            long block = row + (long) k * bytes;
            float d = LittleEndian.half(w, block);
            float m = 0f;
            ByteVector lo = ByteVector.fromMemorySegment(B16, w, block + 2, LE);
            ByteVector hi = ByteVector.fromMemorySegment(B16, w, block + 18, LE);
            int xb = xo + k * 32;
            for (int p = 0; p < PARTS16; p++) {
                int e = xb + p * L;
                l = ((FloatVector) lo.convertShape(VectorOperators.B2F, F, p)).fma(d, m).fma(FloatVector.fromArray(F, x, e), l);
                h = ((FloatVector) hi.convertShape(VectorOperators.B2F, F, p)).fma(d, m).fma(FloatVector.fromArray(F, x, e + 16), h);
            }
        }
        return Vectors.sum(l.add(h));
    }
}
