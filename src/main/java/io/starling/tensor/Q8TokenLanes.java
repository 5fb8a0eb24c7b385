package io.starling.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static io.starling.tensor.Q8Activations.ORDER;
import static io.starling.tensor.Vectors.B16;
import static io.starling.tensor.Vectors.F;
import static io.starling.tensor.Vectors.I;
import static io.starling.tensor.Vectors.L;
import static io.starling.tensor.Vectors.PARTS16;

/**
 * The prefill kernel for Q4_0/Q8_0 weights: tokens in the vector lanes. For a group of {@link Vectors#floatLanes()}
 * tokens the activations are stored element-major ({@link Q8Activations#qt}), so one FMA multiplies a broadcast
 * weight element into that element of every token of the group. Weights are decoded once per call into
 * integer-valued floats (n - 8 for Q4_0, q for Q8_0) and each broadcast weight meets a whole vector of tokens:
 * there is no per-block reduction and no per-pair scale, only 32 FMAs per row, block and token group, then one
 * scale per block as llama.cpp does ({@code sum += sumi * (dw * dx)}, here the exact integer block sum of each
 * token in its lane).
 *
 * <p>Register tiles: eight rows by three token groups (24 block sums; each broadcast weight feeds three FMAs, each
 * activation load eight), then by two and by one for the groups left. Cache blocking, because the FMAs alone run
 * faster than the loads can feed them from L2: the activations of all tokens (cols x 4 bytes per token: 1 MiB for 128
 * tokens of 2048 columns) do not fit L1, and a kernel that swept every column for each eight rows streamed them all
 * from L2 again per eight rows. Here a panel of up to {@link #TILES} eight-row tiles is decoded (whole rows one after
 * the other: sequential streams for the hardware prefetcher), then the columns go in chunks of {@link #CHUNK}: each
 * token groups' chunk of activations (24 KiB for three groups at 512 bits) is reused from L1 by all tiles of the panel,
 * and the running sums stay in the scratch between chunks. Within a tile's chunk decoded rows sit {@link #CHUNK}
 * floats apart, a constant, so the eight broadcasts of a step address one index register with fixed displacements
 * (with a row stride held in registers the loop spent more instructions on addresses than on FMAs).
 *
 * <p>Every tile shape runs the same operations per (row, token), over the blocks in order, whatever the chunk or the
 * panel: the results are the same bits as those of the unblocked eight-row kernel this replaced. Exactness: |Σ n q| ≤ 32·8·127 (Q4_0) or 32·127·127 (Q8_0), both below 2^24.
 */
final class Q8TokenLanes {
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** Bytes of one element of a token group in {@link Q8Activations#qt}: a vector of floats. */
    private static final long LANE_BYTES = (long) L * Float.BYTES;
    /** Rows decoded and run together. */
    static final int ROWS = 8;
    /**
     * Columns per chunk (whole blocks); a row's decoded chunk is this many floats from the next row's. 128: three
     * token groups' activations of a chunk take 24 KB, which stays in the 48 KB L1 beside the tile's decoded rows;
     * at 256 they filled it (prefill +3% on Q4_0, +1% on Q8_0; the 5632-column down projection 4-5% faster).
     */
    private static final int CHUNK = 128;
    private static final int CHUNK_BLOCKS = CHUNK / 32;
    /**
     * Eight-row tiles per panel: the tiles that share each chunk of activations while it is in L1 (4 measured no
     * different; the decoded panel, 64 rows x cols floats, stays in L2 up to ~5600 columns).
     */
    private static final int TILES = 8;
    /** Floats of one tile's decoded chunk: ROWS rows of CHUNK weights, then ROWS rows of CHUNK_BLOCKS scales. */
    private static final int TILE_FLOATS = ROWS * CHUNK + ROWS * CHUNK_BLOCKS;

    private Q8TokenLanes() {
    }

    /** Floats of per-thread scratch a call with {@code cols} columns and {@code groups} token groups needs. */
    static int scratchSize(int cols, int groups) {
        // the token-major tiles of Q8Kernels share the scratch: at least what they need; the decoded panel only when
        // there are token groups (a server that only decodes never grows it)
        int tiles = Math.max(ROWS * cols + ROWS * (cols / 32) + 2 * ROWS * L, Vectors.TREE_SUMS + 16);
        return groups == 0 ? tiles : Math.max(tiles, chunks(cols) * TILES * TILE_FLOATS + TILES * groups * ROWS * L);
    }

    /** Column chunks of a row of {@code cols} columns, the last one possibly part-filled. */
    private static int chunks(int cols) {
        return (cols / 32 + CHUNK_BLOCKS - 1) / CHUNK_BLOCKS;
    }

    /**
     * Rows [rowStart, rowEnd) (a multiple of {@link #ROWS} of them) against the first {@code groups} token groups
     * of {@code a}; writes out[outOffset + t * outStride + r].
     */
    static void multiply(boolean q4_0, MemorySegment w, long rowBytes, int cols, Q8Activations a, int groups,
                         float[] out, int outOffset, int outStride, int rowStart, int rowEnd, float[] s) {
        int blocks = cols / 32;
        MemorySegment qt = a.qt;
        float[] dt = a.dt;
        int tokens = a.grouped;
        int chunkStride = TILES * TILE_FLOATS;
        int sums = chunks(cols) * chunkStride;
        int tileSums = groups * ROWS * L;
        for (int p0 = rowStart; p0 + ROWS <= rowEnd; p0 += TILES * ROWS) {
            int tiles = Math.min(TILES, (rowEnd - p0) / ROWS);
            java.util.Arrays.fill(s, sums, sums + tiles * tileSums, 0f);
            // whole rows one after the other: sequential streams the hardware prefetcher follows (decoding a chunk of
            // each of the panel's 64 rows in turn left every block a miss to DRAM: 9% of a prefill in the scale reads)
            for (int t = 0; t < tiles; t++) {
                for (int k = 0; k < ROWS; k++) {
                    long row = (long) (p0 + t * ROWS + k) * rowBytes;
                    int at = t * TILE_FLOATS + k * CHUNK;
                    int dwAt = t * TILE_FLOATS + ROWS * CHUNK + k * CHUNK_BLOCKS;
                    if (q4_0) {
                        decodeQ4_0(w, row, blocks, s, at, dwAt, chunkStride);
                    } else {
                        decodeQ8_0(w, row, blocks, s, at, dwAt, chunkStride);
                    }
                }
            }
            for (int b0 = 0; b0 < blocks; b0 += CHUNK_BLOCKS) {
                int nb = Math.min(CHUNK_BLOCKS, blocks - b0);
                int chunk = b0 / CHUNK_BLOCKS * chunkStride;
                int g = 0;
                for (; g + 3 <= groups; g += 3) {
                    int xg = (g * cols + b0 * 32) * L;
                    int dg = (g * blocks + b0) * L;
                    for (int t = 0; t < tiles; t++) {
                        lanes8x3(s, chunk + t * TILE_FLOATS, nb, qt, xg, xg + cols * L, xg + 2 * cols * L, dt, dg, dg + blocks * L,
                                dg + 2 * blocks * L, sums + t * tileSums + g * ROWS * L);
                    }
                }
                for (; g + 2 <= groups; g += 2) {
                    int xg = (g * cols + b0 * 32) * L;
                    int dg = (g * blocks + b0) * L;
                    for (int t = 0; t < tiles; t++) {
                        lanes8x2(s, chunk + t * TILE_FLOATS, nb, qt, xg, xg + cols * L, dt, dg, dg + blocks * L,
                                sums + t * tileSums + g * ROWS * L);
                    }
                }
                for (; g < groups; g++) {
                    int xg = (g * cols + b0 * 32) * L;
                    int dg = (g * blocks + b0) * L;
                    for (int t = 0; t < tiles; t++) {
                        lanes8(s, chunk + t * TILE_FLOATS, nb, qt, xg, dt, dg, sums + t * tileSums + g * ROWS * L);
                    }
                }
            }
            // lanes are tokens: scatter the sums into the token-major output, each token's rows of the panel in one
            // run (8-row runs, tile by tile, wrote each output line in parts and cost ~6% of a 128-token product)
            for (int g = 0; g < groups; g++) {
                for (int lane = 0; lane < Math.min(L, tokens - g * L); lane++) {
                    int o = outOffset + (g * L + lane) * outStride + p0;
                    int at = sums + g * ROWS * L + lane;
                    for (int t = 0; t < tiles; t++) {
                        int ot = o + t * ROWS;
                        int st = at + t * tileSums;
                        for (int r = 0; r < ROWS; r++) {
                            out[ot + r] = s[st + r * L];
                        }
                    }
                }
            }
        }
    }

    /**
     * One tile's decoded chunk (at s[ws ..], nb blocks) against one token group (quants from float xg of qt, scales from
     * dt[dg ..]); adds each row's sums into s[acc + r * L ..].
     */
    private static void lanes8(float[] s, int ws, int nb, MemorySegment qt, int xg, float[] dt, int dg, int acc) {
        FloatVector a0 = FloatVector.fromArray(F, s, acc);
        FloatVector a1 = FloatVector.fromArray(F, s, acc + L);
        FloatVector a2 = FloatVector.fromArray(F, s, acc + 2 * L);
        FloatVector a3 = FloatVector.fromArray(F, s, acc + 3 * L);
        FloatVector a4 = FloatVector.fromArray(F, s, acc + 4 * L);
        FloatVector a5 = FloatVector.fromArray(F, s, acc + 5 * L);
        FloatVector a6 = FloatVector.fromArray(F, s, acc + 6 * L);
        FloatVector a7 = FloatVector.fromArray(F, s, acc + 7 * L);
        int dws = ws + ROWS * CHUNK;
        // byte offsets, long: C2 hoists the segment bounds checks of an index linear in the loop variable
        long xgB = (long) xg * Float.BYTES;
        for (int b = 0; b < nb; b++) {
            FloatVector p0 = FloatVector.zero(F);
            FloatVector p1 = p0, p2 = p0, p3 = p0, p4 = p0, p5 = p0, p6 = p0, p7 = p0;
            int e0 = b * 32;
            for (int j = 0; j < 32; j++) {
                int e = e0 + j;
                int we = ws + e;
                FloatVector x = FloatVector.fromMemorySegment(F, qt, xgB + ((long) e0 + j) * LANE_BYTES, ORDER);
                p0 = x.fma(FloatVector.broadcast(F, s[we]), p0);
                p1 = x.fma(FloatVector.broadcast(F, s[we + CHUNK]), p1);
                p2 = x.fma(FloatVector.broadcast(F, s[we + 2 * CHUNK]), p2);
                p3 = x.fma(FloatVector.broadcast(F, s[we + 3 * CHUNK]), p3);
                p4 = x.fma(FloatVector.broadcast(F, s[we + 4 * CHUNK]), p4);
                p5 = x.fma(FloatVector.broadcast(F, s[we + 5 * CHUNK]), p5);
                p6 = x.fma(FloatVector.broadcast(F, s[we + 6 * CHUNK]), p6);
                p7 = x.fma(FloatVector.broadcast(F, s[we + 7 * CHUNK]), p7);
            }
            FloatVector dx = FloatVector.fromArray(F, dt, dg + b * L);
            int dw = dws + b;
            a0 = p0.fma(dx.mul(s[dw]), a0);
            a1 = p1.fma(dx.mul(s[dw + CHUNK_BLOCKS]), a1);
            a2 = p2.fma(dx.mul(s[dw + 2 * CHUNK_BLOCKS]), a2);
            a3 = p3.fma(dx.mul(s[dw + 3 * CHUNK_BLOCKS]), a3);
            a4 = p4.fma(dx.mul(s[dw + 4 * CHUNK_BLOCKS]), a4);
            a5 = p5.fma(dx.mul(s[dw + 5 * CHUNK_BLOCKS]), a5);
            a6 = p6.fma(dx.mul(s[dw + 6 * CHUNK_BLOCKS]), a6);
            a7 = p7.fma(dx.mul(s[dw + 7 * CHUNK_BLOCKS]), a7);
        }
        a0.intoArray(s, acc);
        a1.intoArray(s, acc + L);
        a2.intoArray(s, acc + 2 * L);
        a3.intoArray(s, acc + 3 * L);
        a4.intoArray(s, acc + 4 * L);
        a5.intoArray(s, acc + 5 * L);
        a6.intoArray(s, acc + 6 * L);
        a7.intoArray(s, acc + 7 * L);
    }

    /**
     * One tile's decoded chunk against token groups g (from float xg of qt, dt[dg ..]) and g + 1 (from float xh, dt[dh ..]): each
     * broadcast weight feeds two FMAs, halving the loads per FMA (one group is bound by loads, two by FMAs). Block
     * sums live in 16 registers; the running sums of group g, touched once per block, at s[acc + r * L ..], those of
     * g + 1 right after them. Written out, no helper: a vector passed to a call C2 does not inline is boxed (this
     * was 20x slower with a small helper).
     */
    private static void lanes8x2(float[] s, int ws, int nb, MemorySegment qt, int xg, int xh, float[] dt, int dg, int dh,
                                 int acc) {
        int dws = ws + ROWS * CHUNK;
        long xgB = (long) xg * Float.BYTES, xhB = (long) xh * Float.BYTES;
        int ach = acc + ROWS * L;
        for (int b = 0; b < nb; b++) {
            FloatVector p0 = FloatVector.zero(F);
            FloatVector p1 = p0, p2 = p0, p3 = p0, p4 = p0, p5 = p0, p6 = p0, p7 = p0;
            FloatVector q0 = p0, q1 = p0, q2 = p0, q3 = p0, q4 = p0, q5 = p0, q6 = p0, q7 = p0;
            int e0 = b * 32;
            for (int j = 0; j < 32; j++) {
                int e = e0 + j;
                int we = ws + e;
                FloatVector x = FloatVector.fromMemorySegment(F, qt, xgB + ((long) e0 + j) * LANE_BYTES, ORDER);
                FloatVector y = FloatVector.fromMemorySegment(F, qt, xhB + ((long) e0 + j) * LANE_BYTES, ORDER);
                FloatVector w0 = FloatVector.broadcast(F, s[we]);
                FloatVector w1 = FloatVector.broadcast(F, s[we + CHUNK]);
                FloatVector w2 = FloatVector.broadcast(F, s[we + 2 * CHUNK]);
                FloatVector w3 = FloatVector.broadcast(F, s[we + 3 * CHUNK]);
                p0 = x.fma(w0, p0);
                q0 = y.fma(w0, q0);
                p1 = x.fma(w1, p1);
                q1 = y.fma(w1, q1);
                p2 = x.fma(w2, p2);
                q2 = y.fma(w2, q2);
                p3 = x.fma(w3, p3);
                q3 = y.fma(w3, q3);
                FloatVector w4 = FloatVector.broadcast(F, s[we + 4 * CHUNK]);
                FloatVector w5 = FloatVector.broadcast(F, s[we + 5 * CHUNK]);
                FloatVector w6 = FloatVector.broadcast(F, s[we + 6 * CHUNK]);
                FloatVector w7 = FloatVector.broadcast(F, s[we + 7 * CHUNK]);
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
            int dw = dws + b;
            {
                float w = s[dw];
                p0.fma(dx.mul(w), FloatVector.fromArray(F, s, acc)).intoArray(s, acc);
                q0.fma(dy.mul(w), FloatVector.fromArray(F, s, ach)).intoArray(s, ach);
            }
            {
                float w = s[dw + CHUNK_BLOCKS];
                p1.fma(dx.mul(w), FloatVector.fromArray(F, s, acc + L)).intoArray(s, acc + L);
                q1.fma(dy.mul(w), FloatVector.fromArray(F, s, ach + L)).intoArray(s, ach + L);
            }
            {
                float w = s[dw + 2 * CHUNK_BLOCKS];
                p2.fma(dx.mul(w), FloatVector.fromArray(F, s, acc + 2 * L)).intoArray(s, acc + 2 * L);
                q2.fma(dy.mul(w), FloatVector.fromArray(F, s, ach + 2 * L)).intoArray(s, ach + 2 * L);
            }
            {
                float w = s[dw + 3 * CHUNK_BLOCKS];
                p3.fma(dx.mul(w), FloatVector.fromArray(F, s, acc + 3 * L)).intoArray(s, acc + 3 * L);
                q3.fma(dy.mul(w), FloatVector.fromArray(F, s, ach + 3 * L)).intoArray(s, ach + 3 * L);
            }
            {
                float w = s[dw + 4 * CHUNK_BLOCKS];
                p4.fma(dx.mul(w), FloatVector.fromArray(F, s, acc + 4 * L)).intoArray(s, acc + 4 * L);
                q4.fma(dy.mul(w), FloatVector.fromArray(F, s, ach + 4 * L)).intoArray(s, ach + 4 * L);
            }
            {
                float w = s[dw + 5 * CHUNK_BLOCKS];
                p5.fma(dx.mul(w), FloatVector.fromArray(F, s, acc + 5 * L)).intoArray(s, acc + 5 * L);
                q5.fma(dy.mul(w), FloatVector.fromArray(F, s, ach + 5 * L)).intoArray(s, ach + 5 * L);
            }
            {
                float w = s[dw + 6 * CHUNK_BLOCKS];
                p6.fma(dx.mul(w), FloatVector.fromArray(F, s, acc + 6 * L)).intoArray(s, acc + 6 * L);
                q6.fma(dy.mul(w), FloatVector.fromArray(F, s, ach + 6 * L)).intoArray(s, ach + 6 * L);
            }
            {
                float w = s[dw + 7 * CHUNK_BLOCKS];
                p7.fma(dx.mul(w), FloatVector.fromArray(F, s, acc + 7 * L)).intoArray(s, acc + 7 * L);
                q7.fma(dy.mul(w), FloatVector.fromArray(F, s, ach + 7 * L)).intoArray(s, ach + 7 * L);
            }
        }
    }

    /**
     * {@link #lanes8x2} for three token groups g, g + 1, g + 2 (quants from floats xg, xh and xi of qt): each
     * broadcast weight feeds three FMAs; 24 block sums, three activations and one weight fill 28 of the 32 vector
     * registers of AVX-512 (the loads per FMA drop from 10/16 to 11/24).
     */
    private static void lanes8x3(float[] s, int ws, int nb, MemorySegment qt, int xg, int xh, int xi, float[] dt, int dg, int dh,
                                 int di, int acc) {
        int dws = ws + ROWS * CHUNK;
        long xgB = (long) xg * Float.BYTES, xhB = (long) xh * Float.BYTES, xiB = (long) xi * Float.BYTES;
        int ach = acc + ROWS * L;
        int aci = ach + ROWS * L;
        for (int b = 0; b < nb; b++) {
            FloatVector p0 = FloatVector.zero(F);
            FloatVector p1 = p0, p2 = p0, p3 = p0, p4 = p0, p5 = p0, p6 = p0, p7 = p0;
            FloatVector q0 = p0, q1 = p0, q2 = p0, q3 = p0, q4 = p0, q5 = p0, q6 = p0, q7 = p0;
            FloatVector r0 = p0, r1 = p0, r2 = p0, r3 = p0, r4 = p0, r5 = p0, r6 = p0, r7 = p0;
            int e0 = b * 32;
            for (int j = 0; j < 32; j++) {
                int e = e0 + j;
                int we = ws + e;
                FloatVector x = FloatVector.fromMemorySegment(F, qt, xgB + ((long) e0 + j) * LANE_BYTES, ORDER);
                FloatVector y = FloatVector.fromMemorySegment(F, qt, xhB + ((long) e0 + j) * LANE_BYTES, ORDER);
                FloatVector z = FloatVector.fromMemorySegment(F, qt, xiB + ((long) e0 + j) * LANE_BYTES, ORDER);
                FloatVector w = FloatVector.broadcast(F, s[we]);
                p0 = x.fma(w, p0);
                q0 = y.fma(w, q0);
                r0 = z.fma(w, r0);
                w = FloatVector.broadcast(F, s[we + 1 * CHUNK]);
                p1 = x.fma(w, p1);
                q1 = y.fma(w, q1);
                r1 = z.fma(w, r1);
                w = FloatVector.broadcast(F, s[we + 2 * CHUNK]);
                p2 = x.fma(w, p2);
                q2 = y.fma(w, q2);
                r2 = z.fma(w, r2);
                w = FloatVector.broadcast(F, s[we + 3 * CHUNK]);
                p3 = x.fma(w, p3);
                q3 = y.fma(w, q3);
                r3 = z.fma(w, r3);
                w = FloatVector.broadcast(F, s[we + 4 * CHUNK]);
                p4 = x.fma(w, p4);
                q4 = y.fma(w, q4);
                r4 = z.fma(w, r4);
                w = FloatVector.broadcast(F, s[we + 5 * CHUNK]);
                p5 = x.fma(w, p5);
                q5 = y.fma(w, q5);
                r5 = z.fma(w, r5);
                w = FloatVector.broadcast(F, s[we + 6 * CHUNK]);
                p6 = x.fma(w, p6);
                q6 = y.fma(w, q6);
                r6 = z.fma(w, r6);
                w = FloatVector.broadcast(F, s[we + 7 * CHUNK]);
                p7 = x.fma(w, p7);
                q7 = y.fma(w, q7);
                r7 = z.fma(w, r7);
            }
            FloatVector dx = FloatVector.fromArray(F, dt, dg + b * L);
            FloatVector dy = FloatVector.fromArray(F, dt, dh + b * L);
            FloatVector dz = FloatVector.fromArray(F, dt, di + b * L);
            int dw = dws + b;
            {
                float w = s[dw];
                p0.fma(dx.mul(w), FloatVector.fromArray(F, s, acc)).intoArray(s, acc);
                q0.fma(dy.mul(w), FloatVector.fromArray(F, s, ach)).intoArray(s, ach);
                r0.fma(dz.mul(w), FloatVector.fromArray(F, s, aci)).intoArray(s, aci);
            }
            {
                float w = s[dw + CHUNK_BLOCKS];
                p1.fma(dx.mul(w), FloatVector.fromArray(F, s, acc + 1 * L)).intoArray(s, acc + 1 * L);
                q1.fma(dy.mul(w), FloatVector.fromArray(F, s, ach + 1 * L)).intoArray(s, ach + 1 * L);
                r1.fma(dz.mul(w), FloatVector.fromArray(F, s, aci + 1 * L)).intoArray(s, aci + 1 * L);
            }
            {
                float w = s[dw + 2 * CHUNK_BLOCKS];
                p2.fma(dx.mul(w), FloatVector.fromArray(F, s, acc + 2 * L)).intoArray(s, acc + 2 * L);
                q2.fma(dy.mul(w), FloatVector.fromArray(F, s, ach + 2 * L)).intoArray(s, ach + 2 * L);
                r2.fma(dz.mul(w), FloatVector.fromArray(F, s, aci + 2 * L)).intoArray(s, aci + 2 * L);
            }
            {
                float w = s[dw + 3 * CHUNK_BLOCKS];
                p3.fma(dx.mul(w), FloatVector.fromArray(F, s, acc + 3 * L)).intoArray(s, acc + 3 * L);
                q3.fma(dy.mul(w), FloatVector.fromArray(F, s, ach + 3 * L)).intoArray(s, ach + 3 * L);
                r3.fma(dz.mul(w), FloatVector.fromArray(F, s, aci + 3 * L)).intoArray(s, aci + 3 * L);
            }
            {
                float w = s[dw + 4 * CHUNK_BLOCKS];
                p4.fma(dx.mul(w), FloatVector.fromArray(F, s, acc + 4 * L)).intoArray(s, acc + 4 * L);
                q4.fma(dy.mul(w), FloatVector.fromArray(F, s, ach + 4 * L)).intoArray(s, ach + 4 * L);
                r4.fma(dz.mul(w), FloatVector.fromArray(F, s, aci + 4 * L)).intoArray(s, aci + 4 * L);
            }
            {
                float w = s[dw + 5 * CHUNK_BLOCKS];
                p5.fma(dx.mul(w), FloatVector.fromArray(F, s, acc + 5 * L)).intoArray(s, acc + 5 * L);
                q5.fma(dy.mul(w), FloatVector.fromArray(F, s, ach + 5 * L)).intoArray(s, ach + 5 * L);
                r5.fma(dz.mul(w), FloatVector.fromArray(F, s, aci + 5 * L)).intoArray(s, aci + 5 * L);
            }
            {
                float w = s[dw + 6 * CHUNK_BLOCKS];
                p6.fma(dx.mul(w), FloatVector.fromArray(F, s, acc + 6 * L)).intoArray(s, acc + 6 * L);
                q6.fma(dy.mul(w), FloatVector.fromArray(F, s, ach + 6 * L)).intoArray(s, ach + 6 * L);
                r6.fma(dz.mul(w), FloatVector.fromArray(F, s, aci + 6 * L)).intoArray(s, aci + 6 * L);
            }
            {
                float w = s[dw + 7 * CHUNK_BLOCKS];
                p7.fma(dx.mul(w), FloatVector.fromArray(F, s, acc + 7 * L)).intoArray(s, acc + 7 * L);
                q7.fma(dy.mul(w), FloatVector.fromArray(F, s, ach + 7 * L)).intoArray(s, ach + 7 * L);
                r7.fma(dz.mul(w), FloatVector.fromArray(F, s, aci + 7 * L)).intoArray(s, aci + 7 * L);
            }
        }
    }

    /**
     * A Q4_0 row as integer-valued floats n - 8, chunk c of it at ws[at + c * chunkStride ..] and its scales at
     * ws[dwAt + c * chunkStride ..].
     */
    private static void decodeQ4_0(MemorySegment w, long row, int blocks, float[] ws, int at, int dwAt, int chunkStride) {
        // chunk by chunk, as decodeQ8_0
        for (int k0 = 0, c = 0; k0 < blocks; k0 += CHUNK_BLOCKS, c += chunkStride) {
            int n = Math.min(CHUNK_BLOCKS, blocks - k0);
            long chunk = row + (long) k0 * 18;
            for (int j = 0; j < n; j++) {
                long off = chunk + (long) j * 18;
                ws[dwAt + c + j] = LittleEndian.half(w, off);
                ByteVector nibbles = ByteVector.fromMemorySegment(B16, w, off + 2, LE);
                int e = at + c + j * 32;
                for (int p = 0; p < PARTS16; p++) {
                    IntVector v = (IntVector) nibbles.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, p);
                    ((FloatVector) v.and(15).sub(8).convert(VectorOperators.I2F, 0)).intoArray(ws, e + p * L);
                    ((FloatVector) v.lanewise(VectorOperators.LSHR, 4).sub(8).convert(VectorOperators.I2F, 0)).intoArray(ws, e + 16 + p * L);
                }
            }
        }
    }

    /** A Q8_0 row as integer-valued floats q, laid out as {@link #decodeQ4_0} lays out its row. */
    private static void decodeQ8_0(MemorySegment w, long row, int blocks, float[] ws, int at, int dwAt, int chunkStride) {
        // chunk by chunk: no division per block (the weights read in place: a slice per chunk was an allocation C2
        // could not remove, ~180 MB per prefill step of a 1B model)
        for (int k0 = 0, c = 0; k0 < blocks; k0 += CHUNK_BLOCKS, c += chunkStride) {
            int n = Math.min(CHUNK_BLOCKS, blocks - k0);
            long chunk = row + (long) k0 * 34;
            for (int j = 0; j < n; j++) {
                long off = chunk + (long) j * 34;
                ws[dwAt + c + j] = LittleEndian.half(w, off);
                ByteVector l = ByteVector.fromMemorySegment(B16, w, off + 2, LE);
                ByteVector h = ByteVector.fromMemorySegment(B16, w, off + 18, LE);
                int e = at + c + j * 32;
                for (int p = 0; p < PARTS16; p++) {
                    ((FloatVector) l.convertShape(VectorOperators.B2F, F, p)).intoArray(ws, e + p * L);
                    ((FloatVector) h.convertShape(VectorOperators.B2F, F, p)).intoArray(ws, e + 16 + p * L);
                }
            }
        }
    }
}
