package io.starling.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static io.starling.tensor.Vectors.B16;
import static io.starling.tensor.Vectors.F;
import static io.starling.tensor.Vectors.I;
import static io.starling.tensor.Vectors.L;
import static io.starling.tensor.Vectors.PARTS16;

/**
 * The prefill kernel for Q4_0/Q8_0 weights: tokens in the vector lanes. For a group of {@link Vectors#floatLanes()}
 * tokens the activations are stored element-major ({@link Q8Activations#qt}), so one FMA multiplies a broadcast
 * weight element into that element of every token of the group. Eight rows are decoded once per call into
 * integer-valued floats (n - 8 for Q4_0, q for Q8_0) and each broadcast weight meets a whole vector of tokens:
 * there is no per-block reduction and no per-pair scale, only 32 FMAs per row, block and token group, then one
 * scale per block as llama.cpp does ({@code sum += sumi * (dw * dx)}, here the exact integer block sum of each
 * token in its lane).
 *
 * <p>Eight rows give eight independent FMA chains (enough to hide FMA latency) and share every activation load.
 * Exactness: |Σ n q| ≤ 32·8·127 (Q4_0) or 32·127·127 (Q8_0), both below 2^24.
 */
final class Q8TokenLanes {
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** Rows decoded and run together. */
    static final int ROWS = 8;

    private Q8TokenLanes() {
    }

    /** Floats of per-thread scratch a call with {@code cols} columns needs. */
    static int scratchSize(int cols) {
        return ROWS * cols + ROWS * (cols / 32) + 2 * ROWS * L;
    }

    /**
     * Rows [rowStart, rowEnd) (a multiple of {@link #ROWS} of them) against the first {@code groups} token groups
     * of {@code a}; writes out[outOffset + t * outStride + r].
     */
    static void multiply(boolean q4_0, MemorySegment w, long rowBytes, int cols, Q8Activations a, int groups,
                         float[] out, int outOffset, int outStride, int rowStart, int rowEnd, float[] scratch) {
        int blocks = cols / 32;
        int dwBase = ROWS * cols;
        float[] qt = a.qt;
        float[] dt = a.dt;
        int tokens = a.grouped;
        for (int r0 = rowStart; r0 + ROWS <= rowEnd; r0 += ROWS) {
            for (int i = 0; i < ROWS; i++) {
                if (q4_0) {
                    decodeQ4_0(w, (r0 + i) * rowBytes, blocks, scratch, i * cols, dwBase + i * blocks);
                } else {
                    decodeQ8_0(w, (r0 + i) * rowBytes, blocks, scratch, i * cols, dwBase + i * blocks);
                }
            }
            int g = 0;
            for (; g + 2 <= groups; g += 2) {
                lanes8x2(scratch, cols, blocks, dwBase, qt, dt, g, tokens - g * L, out, outOffset + g * L * outStride + r0, outStride);
            }
            for (; g < groups; g++) {
                lanes8(scratch, cols, blocks, dwBase, qt, dt, g, tokens - g * L, out, outOffset + g * L * outStride + r0, outStride);
            }
        }
    }

    /** Eight decoded rows against token group g; lane t of the result goes to out[o + t * outStride + row]. */
    private static void lanes8(float[] ws, int cols, int blocks, int dwBase, float[] qt, float[] dt, int g, int valid,
                               float[] out, int o, int outStride) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        int xg = g * cols * L;
        int dg = g * blocks * L;
        int c1 = cols, c2 = 2 * cols, c3 = 3 * cols, c4 = 4 * cols, c5 = 5 * cols, c6 = 6 * cols, c7 = 7 * cols;
        for (int b = 0; b < blocks; b++) {
            FloatVector p0 = FloatVector.zero(F);
            FloatVector p1 = p0, p2 = p0, p3 = p0, p4 = p0, p5 = p0, p6 = p0, p7 = p0;
            int e0 = b * 32;
            for (int j = 0; j < 32; j++) {
                int e = e0 + j;
                FloatVector x = FloatVector.fromArray(F, qt, xg + e * L);
                p0 = x.fma(FloatVector.broadcast(F, ws[e]), p0);
                p1 = x.fma(FloatVector.broadcast(F, ws[c1 + e]), p1);
                p2 = x.fma(FloatVector.broadcast(F, ws[c2 + e]), p2);
                p3 = x.fma(FloatVector.broadcast(F, ws[c3 + e]), p3);
                p4 = x.fma(FloatVector.broadcast(F, ws[c4 + e]), p4);
                p5 = x.fma(FloatVector.broadcast(F, ws[c5 + e]), p5);
                p6 = x.fma(FloatVector.broadcast(F, ws[c6 + e]), p6);
                p7 = x.fma(FloatVector.broadcast(F, ws[c7 + e]), p7);
            }
            FloatVector dx = FloatVector.fromArray(F, dt, dg + b * L);
            int dw = dwBase + b;
            a0 = p0.fma(dx.mul(ws[dw]), a0);
            a1 = p1.fma(dx.mul(ws[dw + blocks]), a1);
            a2 = p2.fma(dx.mul(ws[dw + 2 * blocks]), a2);
            a3 = p3.fma(dx.mul(ws[dw + 3 * blocks]), a3);
            a4 = p4.fma(dx.mul(ws[dw + 4 * blocks]), a4);
            a5 = p5.fma(dx.mul(ws[dw + 5 * blocks]), a5);
            a6 = p6.fma(dx.mul(ws[dw + 6 * blocks]), a6);
            a7 = p7.fma(dx.mul(ws[dw + 7 * blocks]), a7);
        }
        // lanes are tokens: spill the eight vectors and scatter them into the token-major output
        int tmp = dwBase + ROWS * blocks;
        a0.intoArray(ws, tmp);
        a1.intoArray(ws, tmp + L);
        a2.intoArray(ws, tmp + 2 * L);
        a3.intoArray(ws, tmp + 3 * L);
        a4.intoArray(ws, tmp + 4 * L);
        a5.intoArray(ws, tmp + 5 * L);
        a6.intoArray(ws, tmp + 6 * L);
        a7.intoArray(ws, tmp + 7 * L);
        for (int t = 0; t < Math.min(L, valid); t++) {
            int ot = o + t * outStride;
            for (int r = 0; r < ROWS; r++) {
                out[ot + r] = ws[tmp + r * L + t];
            }
        }
    }

    /**
     * Eight decoded rows against token groups g and g + 1: each broadcast weight feeds two FMAs, halving the
     * loads per FMA (one group is bound by loads, two by FMAs). Block sums live in 16 registers; the running
     * totals, touched once per block, in the scratch after the decoded rows. Written out, no helper: a vector
     * passed to a call C2 does not inline is boxed (this was 20x slower with a small helper).
     */
    private static void lanes8x2(float[] ws, int cols, int blocks, int dwBase, float[] qt, float[] dt, int g, int valid,
                                 float[] out, int o, int outStride) {
        int acc = dwBase + ROWS * blocks;
        java.util.Arrays.fill(ws, acc, acc + 2 * ROWS * L, 0f);
        int xg = g * cols * L;
        int xh = xg + cols * L;
        int dg = g * blocks * L;
        int dh = dg + blocks * L;
        int c1 = cols, c2 = 2 * cols, c3 = 3 * cols, c4 = 4 * cols, c5 = 5 * cols, c6 = 6 * cols, c7 = 7 * cols;
        for (int b = 0; b < blocks; b++) {
            FloatVector p0 = FloatVector.zero(F);
            FloatVector p1 = p0, p2 = p0, p3 = p0, p4 = p0, p5 = p0, p6 = p0, p7 = p0;
            FloatVector q0 = p0, q1 = p0, q2 = p0, q3 = p0, q4 = p0, q5 = p0, q6 = p0, q7 = p0;
            int e0 = b * 32;
            for (int j = 0; j < 32; j++) {
                int e = e0 + j;
                FloatVector x = FloatVector.fromArray(F, qt, xg + e * L);
                FloatVector y = FloatVector.fromArray(F, qt, xh + e * L);
                FloatVector w0 = FloatVector.broadcast(F, ws[e]);
                FloatVector w1 = FloatVector.broadcast(F, ws[c1 + e]);
                FloatVector w2 = FloatVector.broadcast(F, ws[c2 + e]);
                FloatVector w3 = FloatVector.broadcast(F, ws[c3 + e]);
                p0 = x.fma(w0, p0);
                q0 = y.fma(w0, q0);
                p1 = x.fma(w1, p1);
                q1 = y.fma(w1, q1);
                p2 = x.fma(w2, p2);
                q2 = y.fma(w2, q2);
                p3 = x.fma(w3, p3);
                q3 = y.fma(w3, q3);
                FloatVector w4 = FloatVector.broadcast(F, ws[c4 + e]);
                FloatVector w5 = FloatVector.broadcast(F, ws[c5 + e]);
                FloatVector w6 = FloatVector.broadcast(F, ws[c6 + e]);
                FloatVector w7 = FloatVector.broadcast(F, ws[c7 + e]);
                p4 = x.fma(w4, p4);
                q4 = y.fma(w4, q4);
                p5 = x.fma(w5, p5);
                q5 = y.fma(w5, q5);
                p6 = x.fma(w6, p6);
                q6 = y.fma(w6, q6);
                p7 = x.fma(w7, p7);
                q7 = y.fma(w7, q7);
            }
            FloatVector dx = FloatVector.fromArray(F, dt, dg + b * L);
            FloatVector dy = FloatVector.fromArray(F, dt, dh + b * L);
            int dw = dwBase + b;
            {
                int at = acc;
                float w = ws[dw];
                p0.fma(dx.mul(w), FloatVector.fromArray(F, ws, at)).intoArray(ws, at);
                q0.fma(dy.mul(w), FloatVector.fromArray(F, ws, at + L)).intoArray(ws, at + L);
            }
            {
                int at = acc + 2 * L;
                float w = ws[dw + blocks];
                p1.fma(dx.mul(w), FloatVector.fromArray(F, ws, at)).intoArray(ws, at);
                q1.fma(dy.mul(w), FloatVector.fromArray(F, ws, at + L)).intoArray(ws, at + L);
            }
            {
                int at = acc + 4 * L;
                float w = ws[dw + 2 * blocks];
                p2.fma(dx.mul(w), FloatVector.fromArray(F, ws, at)).intoArray(ws, at);
                q2.fma(dy.mul(w), FloatVector.fromArray(F, ws, at + L)).intoArray(ws, at + L);
            }
            {
                int at = acc + 6 * L;
                float w = ws[dw + 3 * blocks];
                p3.fma(dx.mul(w), FloatVector.fromArray(F, ws, at)).intoArray(ws, at);
                q3.fma(dy.mul(w), FloatVector.fromArray(F, ws, at + L)).intoArray(ws, at + L);
            }
            {
                int at = acc + 8 * L;
                float w = ws[dw + 4 * blocks];
                p4.fma(dx.mul(w), FloatVector.fromArray(F, ws, at)).intoArray(ws, at);
                q4.fma(dy.mul(w), FloatVector.fromArray(F, ws, at + L)).intoArray(ws, at + L);
            }
            {
                int at = acc + 10 * L;
                float w = ws[dw + 5 * blocks];
                p5.fma(dx.mul(w), FloatVector.fromArray(F, ws, at)).intoArray(ws, at);
                q5.fma(dy.mul(w), FloatVector.fromArray(F, ws, at + L)).intoArray(ws, at + L);
            }
            {
                int at = acc + 12 * L;
                float w = ws[dw + 6 * blocks];
                p6.fma(dx.mul(w), FloatVector.fromArray(F, ws, at)).intoArray(ws, at);
                q6.fma(dy.mul(w), FloatVector.fromArray(F, ws, at + L)).intoArray(ws, at + L);
            }
            {
                int at = acc + 14 * L;
                float w = ws[dw + 7 * blocks];
                p7.fma(dx.mul(w), FloatVector.fromArray(F, ws, at)).intoArray(ws, at);
                q7.fma(dy.mul(w), FloatVector.fromArray(F, ws, at + L)).intoArray(ws, at + L);
            }
        }
        for (int t = 0; t < L; t++) {
            int ot = o + t * outStride;
            for (int r = 0; r < ROWS; r++) {
                out[ot + r] = ws[acc + 2 * r * L + t];
            }
        }
        for (int t = 0; t < Math.min(L, valid - L); t++) {
            int ou = o + (L + t) * outStride;
            for (int r = 0; r < ROWS; r++) {
                out[ou + r] = ws[acc + (2 * r + 1) * L + t];
            }
        }
    }

    /** A Q4_0 row as integer-valued floats n - 8 at ws[at ..] and its scales at ws[dwAt ..]. */
    private static void decodeQ4_0(MemorySegment w, long row, int blocks, float[] ws, int at, int dwAt) {
        for (int k = 0; k < blocks; k++) {
            long off = row + (long) k * 18;
            ws[dwAt + k] = LittleEndian.half(w, off);
            ByteVector n = ByteVector.fromMemorySegment(B16, w, off + 2, LE);
            int e = at + k * 32;
            for (int p = 0; p < PARTS16; p++) {
                IntVector v = (IntVector) n.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, p);
                ((FloatVector) v.and(15).sub(8).convert(VectorOperators.I2F, 0)).intoArray(ws, e + p * L);
                ((FloatVector) v.lanewise(VectorOperators.LSHR, 4).sub(8).convert(VectorOperators.I2F, 0)).intoArray(ws, e + 16 + p * L);
            }
        }
    }

    /** A Q8_0 row as integer-valued floats q at ws[at ..] and its scales at ws[dwAt ..]. */
    private static void decodeQ8_0(MemorySegment w, long row, int blocks, float[] ws, int at, int dwAt) {
        for (int k = 0; k < blocks; k++) {
            long off = row + (long) k * 34;
            ws[dwAt + k] = LittleEndian.half(w, off);
            ByteVector l = ByteVector.fromMemorySegment(B16, w, off + 2, LE);
            ByteVector h = ByteVector.fromMemorySegment(B16, w, off + 18, LE);
            int e = at + k * 32;
            for (int p = 0; p < PARTS16; p++) {
                ((FloatVector) l.convertShape(VectorOperators.B2F, F, p)).intoArray(ws, e + p * L);
                ((FloatVector) h.convertShape(VectorOperators.B2F, F, p)).intoArray(ws, e + 16 + p * L);
            }
        }
    }
}
