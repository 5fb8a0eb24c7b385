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
 * Q4_0 and Q8_0 weights against {@link Q8Activations} (llama.cpp's Q8_0-rounded activations, quants and scales
 * apart). Every block's products are formed exactly, then scaled once, as llama.cpp's integer dot does:
 * <ul>
 * <li>Products of integer-valued floats are exact, and so are the lane sums of a block (below 2^24); a lane's
 *     partial block sum is then multiplied by {@code dw * dx} and accumulated (llama.cpp's AVX kernels also scale
 *     per lane: {@code acc = fma(dw * dx, sumi, acc)}).</li>
 * <li>A token alone (decode of one sequence): eight rows per pass, each from its own eighth of the row range, share each
 *     activation load. Q4_0 multiplies the raw nibbles n (0..15, no {@code - 8}) and starts each lane's products
 *     from {@link Q8Activations#m} ({@code -8} times the lane's two quants, once per call): the offset costs no op
 *     per row (subtracting 8 in the lanes cost one per half block, a scalar correction per block one per row).</li>
 * <li>Whole vectors of tokens go to {@link Q8TokenLanes} (tokens in the lanes), from two vectors' worth on. Fewer
 *     tokens (batched decode of up to 31 sequences at 512 bits, what is left of a prefill, down to a single leftover
 *     token) run in tiles of two rows by eight
 *     tokens, then four by four, the last tile of each kind filled only in part: each weight block is decoded once
 *     for all the tile's tokens and each activation load serves all its rows. Q4_0 decodes to
 *     {@code (n - 8) * dw} (at 512 bits the nibbles index a per-block table of the 16 values): its products with
 *     integer activations are {@code dw} times integers below 2^11, so the block sums stay exact and only
 *     {@code dx} remains to scale (one op per token and block less). Every tile shape ends with the halving tree
 *     of each accumulator's lanes ({@link Vectors#treeSums16}, {@link Vectors#treeSum}): the same additions
 *     whichever tile a token ran in, and four stages of vector pairs instead of gathering lane k of sixteen stored
 *     vectors (the lane-order sums of the single-token kernel).</li>
 * </ul>
 * Written out per layout with no helper returning a vector (a vector crossing a call C2 did not inline is boxed:
 * ~50x slower). Correct for every species: a half block is {@link Vectors#PARTS16} float vectors.
 */
final class Q8Kernels {
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** Activations of a token chunk kept hot in L2 while a thread's rows are swept over them (2x8 tiles). */
    private static final int TOKEN_CHUNK_BYTES = 512 * 1024;
    /** n - 8 for the nibbles n = 0..15: scaled by a block's dw, the table of its decoded weights (exact products). */
    private static final float[] NIBBLE_VALUES = {-8, -7, -6, -5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7};

    private Q8Kernels() {
    }

    /** Whether {@code format} has a kernel here (its llama.cpp vec_dot_type is Q8_0 and its blocks are 32). */
    static boolean accepts(BlockFormat format) {
        return format == Q4_0Format.INSTANCE || format == Q8_0Format.INSTANCE;
    }

    /** {@link BlockFormat#multiplyRows}'s contract, with the activations already rounded into {@code a}. */
    static void multiplyRows(BlockFormat format, MemorySegment w, long rowBytes, int cols, Q8Activations a, int batch,
                             float[] out, int outOffset, int outStride, int rowStart, int rowEnd, float[] scratch) {
        boolean q4_0 = format == Q4_0Format.INSTANCE;
        if ((q4_0 || format == Q8_0Format.INSTANCE) && a.groups > 0) {
            // whole token groups with tokens in the lanes, eight rows at a time; what is left below
            int tiled = rowStart + (rowEnd - rowStart) / Q8TokenLanes.ROWS * Q8TokenLanes.ROWS;
            Q8TokenLanes.multiply(q4_0, w, rowBytes, cols, a, a.groups, out, outOffset, outStride, rowStart, tiled, scratch);
            int done = a.grouped;
            if (tiled < rowEnd) {
                multiplyRows(q4_0, w, rowBytes, cols, a, 0, batch, out, outOffset, outStride, tiled, rowEnd, scratch);
            }
            if (done < batch) {
                multiplyRows(q4_0, w, rowBytes, cols, a, done, batch, out, outOffset, outStride, rowStart, tiled, scratch);
            }
            return;
        }
        if (q4_0 || format == Q8_0Format.INSTANCE) {
            multiplyRows(q4_0, w, rowBytes, cols, a, 0, batch, out, outOffset, outStride, rowStart, rowEnd, scratch);
        } else {
            throw new IllegalArgumentException("no Q8_0-activation kernel for " + format.type());
        }
    }

    /**
     * Tokens [tokenStart, batch) of rows [rowStart, rowEnd) with the token-major kernels. One token alone (plain
     * decode) runs the single-token kernel. Otherwise every token goes through a tile, so that all get the same
     * arithmetic per (row, token) whichever tile they ran in, and each tile decodes a weight block once for all its
     * tokens: whole eights in 2x8 tiles (for Q8_0 too since the activations sit on cache lines: 889-918 against
     * 996-1011 us for 8 tokens x 2048x2048 in 4x4 tiles, which had won before), then fours in 4x4 tiles. The last
     * tile of a kind may be filled in part, the last of a row range hold fewer rows: such a tile reads a real token or
     * row again in place of each missing one and writes only the real outputs (nothing to allocate or clear). A remainder of six or seven fills a 2x8 tile in
     * part, of two or three a 4x4 tile; one token left over runs in an 8x1 tile (eight rows, like the single-token
     * kernel): a 4x4 tile with one real token costs 1.7x that (perf/RESULTS.md, "Remainder tokens").
     */
    private static void multiplyRows(boolean q4_0, MemorySegment w, long rowBytes, int cols, Q8Activations a, int tokenStart,
                                     int batch, float[] out, int outOffset, int outStride, int rowStart, int rowEnd,
                                     float[] scratch) {
        int blocks = cols / 32;
        if (batch == 1 && !a.tilesOnly) {
            singleToken(q4_0, w, rowBytes, cols, blocks, a, 0, out, outOffset, outStride, rowStart, rowEnd, scratch);
            return;
        }
        int tokens = batch - tokenStart;
        int octets = tokenStart + (tokens % 8 >= 6 ? tokens : tokens / 8 * 8);
        int left = batch - octets;
        int quads = left % 4 >= 2 ? batch : octets + left / 4 * 4;
        int chunk = Math.max(8, (TOKEN_CHUNK_BYTES / (cols * 4)) / 8 * 8);
        for (int t0 = tokenStart; t0 < octets; t0 += chunk) {
            tiles(q4_0, 2, w, rowBytes, rowStart, rowEnd, blocks, a, t0, Math.min(octets, t0 + chunk), cols, out,
                    outOffset, outStride, scratch);
        }
        for (int t0 = octets; t0 < quads; t0 += chunk) {
            tiles(q4_0, 4, w, rowBytes, rowStart, rowEnd, blocks, a, t0, Math.min(quads, t0 + chunk), cols, out,
                    outOffset, outStride, scratch);
        }
        if (quads < batch) {
            // one token left: eight rows from the eighths of the range per pass, the last few rows in 4x4 tiles holding
            // this one token
            int t = quads;
            int eighth = (rowEnd - rowStart) / 8;
            int o = outOffset + t * outStride;
            for (int r = rowStart; r < rowStart + eighth; r++) {
                if (q4_0) {
                    q4_0Tile8x1(w, r * rowBytes, eighth * rowBytes, blocks, a.rounded, (long) t * cols * Float.BYTES, out, o + r, eighth,
                            scratch);
                } else {
                    q8_0Tile8x1(w, r * rowBytes, eighth * rowBytes, blocks, a.rounded, (long) t * cols * Float.BYTES, out, o + r, eighth,
                            scratch);
                }
            }
            tiles(q4_0, 4, w, rowBytes, rowStart + 8 * eighth, rowEnd, blocks, a, t, t + 1, cols, out, outOffset,
                    outStride, scratch);
        }
    }

    /**
     * Rows [rowStart, rowEnd) of tokens [t0, t1) in tiles of {@code tileRows} rows: 2x8 or 4x4, the last one filled in
     * part if need be. A tile's rows come from the {@code tileRows} equal parts of the range: independent weight
     * streams, which the prefetchers keep ahead of the kernel (adjacent rows make one slow stream: 20% more time from
     * DRAM for eight tokens, 12-27% for two to four); the rows the parts leave over run in one last tile of adjacent
     * rows.
     */
    private static void tiles(boolean q4_0, int tileRows, MemorySegment w, long rowBytes, int rowStart, int rowEnd,
                              int blocks, Q8Activations a, int t0, int t1, int cols, float[] out, int outOffset,
                              int outStride, float[] scratch) {
        int tileTokens = 16 / tileRows;
        int part = (rowEnd - rowStart) / tileRows;
        int tiles = part + (rowStart + tileRows * part < rowEnd ? 1 : 0);
        for (int p = 0; p < tiles; p++) {
            boolean spread = p < part;
            int r = spread ? rowStart + p : rowStart + tileRows * part;
            int rows = spread ? tileRows : rowEnd - r;
            int apart = spread ? part : 1;
            for (int t = t0; t < t1; t += tileTokens) {
                int tokens = Math.min(tileTokens, t1 - t);
                int o = outOffset + t * outStride + r;
                if (tileRows == 2 && q4_0) {
                    q4_0Tile2x8(w, r * rowBytes, apart * rowBytes, rows, blocks, a.rounded, t, tokens, cols, out, o,
                            outStride, apart, scratch);
                } else if (tileRows == 2) {
                    q8_0Tile2x8(w, r * rowBytes, apart * rowBytes, rows, blocks, a.rounded, t, tokens, cols, out, o,
                            outStride, apart, scratch);
                } else if (q4_0) {
                    q4_0Tile4x4(w, r * rowBytes, apart * rowBytes, rows, blocks, a.rounded, t, tokens, cols, out, o,
                            outStride, apart, scratch);
                } else {
                    q8_0Tile4x4(w, r * rowBytes, apart * rowBytes, rows, blocks, a.rounded, t, tokens, cols, out, o,
                            outStride, apart, scratch);
                }
            }
        }
    }

    /**
     * Token t alone: eight rows from the eight eighths of the range, eight sequential streams the hardware prefetcher
     * follows (four adjacent rows, interleaving their blocks, ran at ~60% of this speed from DRAM); the last few rows
     * one at a time.
     */
    private static void singleToken(boolean q4_0, MemorySegment w, long rowBytes, int cols, int blocks, Q8Activations a,
                                    int t, float[] out, int outOffset, int outStride, int rowStart, int rowEnd,
                                    float[] scratch) {
        int eighth = (rowEnd - rowStart) / 8;
        int o = outOffset + t * outStride;
        for (int r = rowStart; r < rowStart + eighth; r++) {
            if (q4_0) {
                q4_0Rows8(w, r * rowBytes, eighth * rowBytes, blocks, a.q, t * cols, a.d, a.m, t * blocks, out, o + r,
                        eighth, scratch);
            } else {
                q8_0Rows8(w, r * rowBytes, eighth * rowBytes, blocks, a.q, t * cols, a.d, t * blocks, out, o + r,
                        eighth, scratch);
            }
        }
        for (int r = rowStart + 8 * eighth; r < rowEnd; r++) {
            out[o + r] = row1(q4_0, w, r * rowBytes, blocks, a, t, cols);
        }
    }

    /** One row against token t with the single-token kernel of the format. */
    private static float row1(boolean q4_0, MemorySegment w, long row, int blocks, Q8Activations a, int t, int cols) {
        return q4_0
                ? q4_0Row1(w, row, blocks, a.q, t * cols, a.d, a.m, t * blocks)
                : q8_0Row1(w, row, blocks, a.q, t * cols, a.d, t * blocks);
    }

    /**
     * Eight Q4_0 rows {@code stride} bytes apart from byte {@code row0}, one token (quants at q[x0], block scales at
     * d[d0], c[d0]); writes out[o], out[o + outStride], ... out[o + 7 * outStride].
     */
    private static void q4_0Rows8(MemorySegment w, long row0, long stride, int blocks, float[] q, int x0,
                                  float[] d, float[] m, int d0, float[] out, int o, int outStride, float[] lanes) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        long row1 = row0 + stride;
        long row2 = row1 + stride;
        long row3 = row2 + stride;
        long row4 = row3 + stride;
        long row5 = row4 + stride;
        long row6 = row5 + stride;
        long row7 = row6 + stride;
        for (int k = 0; k < blocks; k++) {
            long off = (long) k * 18;
            float dx = d[d0 + k];
            float w0 = LittleEndian.half(w, row0 + off);
            float w1 = LittleEndian.half(w, row1 + off);
            float w2 = LittleEndian.half(w, row2 + off);
            float w3 = LittleEndian.half(w, row3 + off);
            float w4 = LittleEndian.half(w, row4 + off);
            float w5 = LittleEndian.half(w, row5 + off);
            float w6 = LittleEndian.half(w, row6 + off);
            float w7 = LittleEndian.half(w, row7 + off);
            FloatVector s0 = FloatVector.broadcast(F, w0 * dx);
            FloatVector s1 = FloatVector.broadcast(F, w1 * dx);
            FloatVector s2 = FloatVector.broadcast(F, w2 * dx);
            FloatVector s3 = FloatVector.broadcast(F, w3 * dx);
            FloatVector s4 = FloatVector.broadcast(F, w4 * dx);
            FloatVector s5 = FloatVector.broadcast(F, w5 * dx);
            FloatVector s6 = FloatVector.broadcast(F, w6 * dx);
            FloatVector s7 = FloatVector.broadcast(F, w7 * dx);
            ByteVector n0 = ByteVector.fromMemorySegment(B16, w, row0 + off + 2, LE);
            ByteVector n1 = ByteVector.fromMemorySegment(B16, w, row1 + off + 2, LE);
            ByteVector n2 = ByteVector.fromMemorySegment(B16, w, row2 + off + 2, LE);
            ByteVector n3 = ByteVector.fromMemorySegment(B16, w, row3 + off + 2, LE);
            ByteVector n4 = ByteVector.fromMemorySegment(B16, w, row4 + off + 2, LE);
            ByteVector n5 = ByteVector.fromMemorySegment(B16, w, row5 + off + 2, LE);
            ByteVector n6 = ByteVector.fromMemorySegment(B16, w, row6 + off + 2, LE);
            ByteVector n7 = ByteVector.fromMemorySegment(B16, w, row7 + off + 2, LE);
            int e0 = x0 + k * 32;
            int m0 = (d0 + k) * 16;
            for (int p = 0; p < PARTS16; p++) {
                int e = e0 + p * L;
                FloatVector xl = FloatVector.fromArray(F, q, e);
                FloatVector xh = FloatVector.fromArray(F, q, e + 16);
                FloatVector mo = FloatVector.fromArray(F, m, m0 + p * L);
                IntVector v0 = (IntVector) n0.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, p);
                IntVector v1 = (IntVector) n1.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, p);
                IntVector v2 = (IntVector) n2.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, p);
                IntVector v3 = (IntVector) n3.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, p);
                IntVector v4 = (IntVector) n4.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, p);
                IntVector v5 = (IntVector) n5.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, p);
                IntVector v6 = (IntVector) n6.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, p);
                IntVector v7 = (IntVector) n7.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, p);
                a0 = ((FloatVector) v0.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0))
                        .fma(xh, ((FloatVector) v0.and(15).convert(VectorOperators.I2F, 0)).fma(xl, mo)).fma(s0, a0);
                a1 = ((FloatVector) v1.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0))
                        .fma(xh, ((FloatVector) v1.and(15).convert(VectorOperators.I2F, 0)).fma(xl, mo)).fma(s1, a1);
                a2 = ((FloatVector) v2.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0))
                        .fma(xh, ((FloatVector) v2.and(15).convert(VectorOperators.I2F, 0)).fma(xl, mo)).fma(s2, a2);
                a3 = ((FloatVector) v3.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0))
                        .fma(xh, ((FloatVector) v3.and(15).convert(VectorOperators.I2F, 0)).fma(xl, mo)).fma(s3, a3);
                a4 = ((FloatVector) v4.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0))
                        .fma(xh, ((FloatVector) v4.and(15).convert(VectorOperators.I2F, 0)).fma(xl, mo)).fma(s4, a4);
                a5 = ((FloatVector) v5.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0))
                        .fma(xh, ((FloatVector) v5.and(15).convert(VectorOperators.I2F, 0)).fma(xl, mo)).fma(s5, a5);
                a6 = ((FloatVector) v6.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0))
                        .fma(xh, ((FloatVector) v6.and(15).convert(VectorOperators.I2F, 0)).fma(xl, mo)).fma(s6, a6);
                a7 = ((FloatVector) v7.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0))
                        .fma(xh, ((FloatVector) v7.and(15).convert(VectorOperators.I2F, 0)).fma(xl, mo)).fma(s7, a7);
            }
        }
        a0.intoArray(lanes, 0);
        a1.intoArray(lanes, L);
        a2.intoArray(lanes, 2 * L);
        a3.intoArray(lanes, 3 * L);
        a4.intoArray(lanes, 4 * L);
        a5.intoArray(lanes, 5 * L);
        a6.intoArray(lanes, 6 * L);
        a7.intoArray(lanes, 7 * L);
        storeRowSums8(lanes, out, o, outStride);
    }

    /** Row i's sum of the eight stored accumulators (lanes[i * L ..]) to out[o + i * outStride], in lane order. */
    private static void storeRowSums8(float[] lanes, float[] out, int o, int outStride) {
        for (int i = 0; i < 8; i++) {
            out[o + i * outStride] = Vectors.sumStored(lanes, i * L);
        }
    }

    private static float q4_0Row1(MemorySegment w, long row, int blocks, float[] q, int x0, float[] d, float[] m, int d0) {
        FloatVector a = FloatVector.zero(F);
        for (int k = 0; k < blocks; k++) {
            long off = row + (long) k * 18;
            float dw = LittleEndian.half(w, off);
            FloatVector s = FloatVector.broadcast(F, dw * d[d0 + k]);
            int m0 = (d0 + k) * 16;
            ByteVector n = ByteVector.fromMemorySegment(B16, w, off + 2, LE);
            int e0 = x0 + k * 32;
            for (int p = 0; p < PARTS16; p++) {
                int e = e0 + p * L;
                IntVector v = (IntVector) n.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, p);
                FloatVector pr = ((FloatVector) v.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0))
                        .fma(FloatVector.fromArray(F, q, e + 16), ((FloatVector) v.and(15).convert(VectorOperators.I2F, 0))
                                .fma(FloatVector.fromArray(F, q, e), FloatVector.fromArray(F, m, m0 + p * L)));
                a = pr.fma(s, a);
            }
        }
        return Vectors.sum(a);
    }


    /** Eight Q8_0 rows {@code stride} bytes apart, one token: both halves of a block widened to integer-valued floats. */
    private static void q8_0Rows8(MemorySegment w, long row0, long stride, int blocks, float[] q, int x0,
                                  float[] d, int d0, float[] out, int o, int outStride, float[] lanes) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        long row1 = row0 + stride;
        long row2 = row1 + stride;
        long row3 = row2 + stride;
        long row4 = row3 + stride;
        long row5 = row4 + stride;
        long row6 = row5 + stride;
        long row7 = row6 + stride;
        for (int k = 0; k < blocks; k++) {
            long off = (long) k * 34;
            float dx = d[d0 + k];
            FloatVector s0 = FloatVector.broadcast(F, LittleEndian.half(w, row0 + off) * dx);
            FloatVector s1 = FloatVector.broadcast(F, LittleEndian.half(w, row1 + off) * dx);
            FloatVector s2 = FloatVector.broadcast(F, LittleEndian.half(w, row2 + off) * dx);
            FloatVector s3 = FloatVector.broadcast(F, LittleEndian.half(w, row3 + off) * dx);
            FloatVector s4 = FloatVector.broadcast(F, LittleEndian.half(w, row4 + off) * dx);
            FloatVector s5 = FloatVector.broadcast(F, LittleEndian.half(w, row5 + off) * dx);
            FloatVector s6 = FloatVector.broadcast(F, LittleEndian.half(w, row6 + off) * dx);
            FloatVector s7 = FloatVector.broadcast(F, LittleEndian.half(w, row7 + off) * dx);
            ByteVector l0 = ByteVector.fromMemorySegment(B16, w, row0 + off + 2, LE);
            ByteVector h0 = ByteVector.fromMemorySegment(B16, w, row0 + off + 18, LE);
            ByteVector l1 = ByteVector.fromMemorySegment(B16, w, row1 + off + 2, LE);
            ByteVector h1 = ByteVector.fromMemorySegment(B16, w, row1 + off + 18, LE);
            ByteVector l2 = ByteVector.fromMemorySegment(B16, w, row2 + off + 2, LE);
            ByteVector h2 = ByteVector.fromMemorySegment(B16, w, row2 + off + 18, LE);
            ByteVector l3 = ByteVector.fromMemorySegment(B16, w, row3 + off + 2, LE);
            ByteVector h3 = ByteVector.fromMemorySegment(B16, w, row3 + off + 18, LE);
            ByteVector l4 = ByteVector.fromMemorySegment(B16, w, row4 + off + 2, LE);
            ByteVector h4 = ByteVector.fromMemorySegment(B16, w, row4 + off + 18, LE);
            ByteVector l5 = ByteVector.fromMemorySegment(B16, w, row5 + off + 2, LE);
            ByteVector h5 = ByteVector.fromMemorySegment(B16, w, row5 + off + 18, LE);
            ByteVector l6 = ByteVector.fromMemorySegment(B16, w, row6 + off + 2, LE);
            ByteVector h6 = ByteVector.fromMemorySegment(B16, w, row6 + off + 18, LE);
            ByteVector l7 = ByteVector.fromMemorySegment(B16, w, row7 + off + 2, LE);
            ByteVector h7 = ByteVector.fromMemorySegment(B16, w, row7 + off + 18, LE);
            int e0 = x0 + k * 32;
            for (int p = 0; p < PARTS16; p++) {
                int e = e0 + p * L;
                FloatVector xl = FloatVector.fromArray(F, q, e);
                FloatVector xh = FloatVector.fromArray(F, q, e + 16);
                a0 = ((FloatVector) h0.convertShape(VectorOperators.B2F, F, p))
                        .fma(xh, ((FloatVector) l0.convertShape(VectorOperators.B2F, F, p)).mul(xl)).fma(s0, a0);
                a1 = ((FloatVector) h1.convertShape(VectorOperators.B2F, F, p))
                        .fma(xh, ((FloatVector) l1.convertShape(VectorOperators.B2F, F, p)).mul(xl)).fma(s1, a1);
                a2 = ((FloatVector) h2.convertShape(VectorOperators.B2F, F, p))
                        .fma(xh, ((FloatVector) l2.convertShape(VectorOperators.B2F, F, p)).mul(xl)).fma(s2, a2);
                a3 = ((FloatVector) h3.convertShape(VectorOperators.B2F, F, p))
                        .fma(xh, ((FloatVector) l3.convertShape(VectorOperators.B2F, F, p)).mul(xl)).fma(s3, a3);
                a4 = ((FloatVector) h4.convertShape(VectorOperators.B2F, F, p))
                        .fma(xh, ((FloatVector) l4.convertShape(VectorOperators.B2F, F, p)).mul(xl)).fma(s4, a4);
                a5 = ((FloatVector) h5.convertShape(VectorOperators.B2F, F, p))
                        .fma(xh, ((FloatVector) l5.convertShape(VectorOperators.B2F, F, p)).mul(xl)).fma(s5, a5);
                a6 = ((FloatVector) h6.convertShape(VectorOperators.B2F, F, p))
                        .fma(xh, ((FloatVector) l6.convertShape(VectorOperators.B2F, F, p)).mul(xl)).fma(s6, a6);
                a7 = ((FloatVector) h7.convertShape(VectorOperators.B2F, F, p))
                        .fma(xh, ((FloatVector) l7.convertShape(VectorOperators.B2F, F, p)).mul(xl)).fma(s7, a7);
            }
        }
        a0.intoArray(lanes, 0);
        a1.intoArray(lanes, L);
        a2.intoArray(lanes, 2 * L);
        a3.intoArray(lanes, 3 * L);
        a4.intoArray(lanes, 4 * L);
        a5.intoArray(lanes, 5 * L);
        a6.intoArray(lanes, 6 * L);
        a7.intoArray(lanes, 7 * L);
        storeRowSums8(lanes, out, o, outStride);
    }

    private static float q8_0Row1(MemorySegment w, long row, int blocks, float[] q, int x0, float[] d, int d0) {
        FloatVector a = FloatVector.zero(F);
        for (int k = 0; k < blocks; k++) {
            long off = row + (long) k * 34;
            FloatVector s = FloatVector.broadcast(F, LittleEndian.half(w, off) * d[d0 + k]);
            ByteVector l = ByteVector.fromMemorySegment(B16, w, off + 2, LE);
            ByteVector h = ByteVector.fromMemorySegment(B16, w, off + 18, LE);
            int e0 = x0 + k * 32;
            for (int p = 0; p < PARTS16; p++) {
                int e = e0 + p * L;
                FloatVector pr = ((FloatVector) h.convertShape(VectorOperators.B2F, F, p))
                        .fma(FloatVector.fromArray(F, q, e + 16),
                                ((FloatVector) l.convertShape(VectorOperators.B2F, F, p)).mul(FloatVector.fromArray(F, q, e)));
                a = pr.fma(s, a);
            }
        }
        return Vectors.sum(a);
    }

    /**
     * Q4_0 rows r0..r0+3 ({@code rowStride} bytes apart) against tokens t..t+3 of the rounded activations {@code x}: each
     * block is decoded once to {@code (n - 8) * dw} (exact) and meets four tokens, each activation load meets four
     * rows, two FMAs per row, token and half block. The products are rounded once each here (llama.cpp forms an
     * exact integer block sum and scales it by {@code dw * dx}): a difference in the last bits, the price of a
     * third fewer operations than scaling each block sum. Every tile shape does the same arithmetic per row and
     * token, so a token's result does not depend on which tile it ran in. Writes out[o + j * outStride + i * outRowStride]
     * for token t + j and row i, j below {@code tokens} and i below {@code rows} (both at most 4).
     */
    private static void q4_0Tile4x4(MemorySegment w, long row0, long rowStride, int rows, int blocks, MemorySegment x,
                                    int t, int tokens, int cols, float[] out, int o, int outStride, int outRowStride,
                                    float[] lanes) {
        FloatVector zero = FloatVector.zero(F);
        FloatVector a00 = zero, a01 = zero, a02 = zero, a03 = zero;
        FloatVector a10 = zero, a11 = zero, a12 = zero, a13 = zero;
        FloatVector a20 = zero, a21 = zero, a22 = zero, a23 = zero;
        FloatVector a30 = zero, a31 = zero, a32 = zero, a33 = zero;
        // a missing row or token reads the last real one again (its results are not written)
        long row1 = row0 + Math.min(1, rows - 1) * rowStride, row2 = row0 + Math.min(2, rows - 1) * rowStride;
        long row3 = row0 + Math.min(3, rows - 1) * rowStride;
        long x0 = (long) t * cols * Float.BYTES, rowX = (long) cols * Float.BYTES;
        long x1 = x0 + Math.min(1, tokens - 1) * rowX, x2 = x0 + Math.min(2, tokens - 1) * rowX;
        long x3 = x0 + Math.min(3, tokens - 1) * rowX;
        for (int k = 0; k < blocks; k++) {
            long off = (long) k * 18;
            float dw0 = LittleEndian.half(w, row0 + off);
            float dw1 = LittleEndian.half(w, row1 + off);
            float dw2 = LittleEndian.half(w, row2 + off);
            float dw3 = LittleEndian.half(w, row3 + off);
            ByteVector n0 = ByteVector.fromMemorySegment(B16, w, row0 + off + 2, LE);
            ByteVector n1 = ByteVector.fromMemorySegment(B16, w, row1 + off + 2, LE);
            ByteVector n2 = ByteVector.fromMemorySegment(B16, w, row2 + off + 2, LE);
            ByteVector n3 = ByteVector.fromMemorySegment(B16, w, row3 + off + 2, LE);
            for (int p = 0; p < PARTS16; p++) {
                long e = ((long) k * 32 + p * L) * Float.BYTES;
                IntVector v0 = (IntVector) n0.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, p);
                IntVector v1 = (IntVector) n1.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, p);
                IntVector v2 = (IntVector) n2.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, p);
                IntVector v3 = (IntVector) n3.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, p);
                FloatVector wl0, wh0, wl1, wh1, wl2, wh2, wl3, wh3;
                if (L == 16) {
                    // the nibbles index a table of (n - 8) * dw per row, as in q4_0Tile2x8
                    FloatVector nibbles = FloatVector.fromArray(F, NIBBLE_VALUES, 0);
                    IntVector t0 = nibbles.mul(dw0).reinterpretAsInts(), t1 = nibbles.mul(dw1).reinterpretAsInts();
                    IntVector t2 = nibbles.mul(dw2).reinterpretAsInts(), t3 = nibbles.mul(dw3).reinterpretAsInts();
                    wl0 = v0.selectFrom(t0).reinterpretAsFloats();
                    wh0 = v0.lanewise(VectorOperators.LSHR, 4).selectFrom(t0).reinterpretAsFloats();
                    wl1 = v1.selectFrom(t1).reinterpretAsFloats();
                    wh1 = v1.lanewise(VectorOperators.LSHR, 4).selectFrom(t1).reinterpretAsFloats();
                    wl2 = v2.selectFrom(t2).reinterpretAsFloats();
                    wh2 = v2.lanewise(VectorOperators.LSHR, 4).selectFrom(t2).reinterpretAsFloats();
                    wl3 = v3.selectFrom(t3).reinterpretAsFloats();
                    wh3 = v3.lanewise(VectorOperators.LSHR, 4).selectFrom(t3).reinterpretAsFloats();
                } else {
                    wl0 = ((FloatVector) v0.and(15).convert(VectorOperators.I2F, 0)).fma(dw0, -8 * dw0);
                    wh0 = ((FloatVector) v0.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(dw0, -8 * dw0);
                    wl1 = ((FloatVector) v1.and(15).convert(VectorOperators.I2F, 0)).fma(dw1, -8 * dw1);
                    wh1 = ((FloatVector) v1.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(dw1, -8 * dw1);
                    wl2 = ((FloatVector) v2.and(15).convert(VectorOperators.I2F, 0)).fma(dw2, -8 * dw2);
                    wh2 = ((FloatVector) v2.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(dw2, -8 * dw2);
                    wl3 = ((FloatVector) v3.and(15).convert(VectorOperators.I2F, 0)).fma(dw3, -8 * dw3);
                    wh3 = ((FloatVector) v3.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(dw3, -8 * dw3);
                }
                FloatVector xl0 = FloatVector.fromMemorySegment(F, x, x0 + e, ORDER);
                FloatVector xh0 = FloatVector.fromMemorySegment(F, x, x0 + e + 16 * Float.BYTES, ORDER);
                a00 = wh0.fma(xh0, wl0.fma(xl0, a00));
                a10 = wh1.fma(xh0, wl1.fma(xl0, a10));
                a20 = wh2.fma(xh0, wl2.fma(xl0, a20));
                a30 = wh3.fma(xh0, wl3.fma(xl0, a30));
                FloatVector xl1 = FloatVector.fromMemorySegment(F, x, x1 + e, ORDER);
                FloatVector xh1 = FloatVector.fromMemorySegment(F, x, x1 + e + 16 * Float.BYTES, ORDER);
                a01 = wh0.fma(xh1, wl0.fma(xl1, a01));
                a11 = wh1.fma(xh1, wl1.fma(xl1, a11));
                a21 = wh2.fma(xh1, wl2.fma(xl1, a21));
                a31 = wh3.fma(xh1, wl3.fma(xl1, a31));
                FloatVector xl2 = FloatVector.fromMemorySegment(F, x, x2 + e, ORDER);
                FloatVector xh2 = FloatVector.fromMemorySegment(F, x, x2 + e + 16 * Float.BYTES, ORDER);
                a02 = wh0.fma(xh2, wl0.fma(xl2, a02));
                a12 = wh1.fma(xh2, wl1.fma(xl2, a12));
                a22 = wh2.fma(xh2, wl2.fma(xl2, a22));
                a32 = wh3.fma(xh2, wl3.fma(xl2, a32));
                FloatVector xl3 = FloatVector.fromMemorySegment(F, x, x3 + e, ORDER);
                FloatVector xh3 = FloatVector.fromMemorySegment(F, x, x3 + e + 16 * Float.BYTES, ORDER);
                a03 = wh0.fma(xh3, wl0.fma(xl3, a03));
                a13 = wh1.fma(xh3, wl1.fma(xl3, a13));
                a23 = wh2.fma(xh3, wl2.fma(xl3, a23));
                a33 = wh3.fma(xh3, wl3.fma(xl3, a33));
            }
        }
        a00.intoArray(lanes, 0);
        a10.intoArray(lanes, L);
        a20.intoArray(lanes, 2 * L);
        a30.intoArray(lanes, 3 * L);
        a01.intoArray(lanes, 4 * L);
        a11.intoArray(lanes, 5 * L);
        a21.intoArray(lanes, 6 * L);
        a31.intoArray(lanes, 7 * L);
        a02.intoArray(lanes, 8 * L);
        a12.intoArray(lanes, 9 * L);
        a22.intoArray(lanes, 10 * L);
        a32.intoArray(lanes, 11 * L);
        a03.intoArray(lanes, 12 * L);
        a13.intoArray(lanes, 13 * L);
        a23.intoArray(lanes, 14 * L);
        a33.intoArray(lanes, 15 * L);
        Vectors.treeSums16(lanes);
        for (int j = 0; j < tokens; j++) {
            for (int i = 0; i < rows; i++) {
                out[o + j * outStride + i * outRowStride] = lanes[Vectors.TREE_SUMS + 4 * j + i];
            }
        }
    }

    /**
     * {@link #q4_0Tile4x4}'s arithmetic for one token and eight rows {@code stride} bytes apart (from the eighths of
     * a range, as the single-token kernel takes them): the token left over by the tiles of a batch. Writes out[o],
     * out[o + outStride], ... out[o + 7 * outStride].
     */
    private static void q4_0Tile8x1(MemorySegment w, long row0, long stride, int blocks, MemorySegment x, long x0, float[] out,
                                    int o, int outStride, float[] lanes) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        long row1 = row0 + stride, row2 = row1 + stride, row3 = row2 + stride, row4 = row3 + stride;
        long row5 = row4 + stride, row6 = row5 + stride, row7 = row6 + stride;
        for (int k = 0; k < blocks; k++) {
            long off = (long) k * 18;
            float dw0 = LittleEndian.half(w, row0 + off);
            float dw1 = LittleEndian.half(w, row1 + off);
            float dw2 = LittleEndian.half(w, row2 + off);
            float dw3 = LittleEndian.half(w, row3 + off);
            float dw4 = LittleEndian.half(w, row4 + off);
            float dw5 = LittleEndian.half(w, row5 + off);
            float dw6 = LittleEndian.half(w, row6 + off);
            float dw7 = LittleEndian.half(w, row7 + off);
            ByteVector n0 = ByteVector.fromMemorySegment(B16, w, row0 + off + 2, LE);
            ByteVector n1 = ByteVector.fromMemorySegment(B16, w, row1 + off + 2, LE);
            ByteVector n2 = ByteVector.fromMemorySegment(B16, w, row2 + off + 2, LE);
            ByteVector n3 = ByteVector.fromMemorySegment(B16, w, row3 + off + 2, LE);
            ByteVector n4 = ByteVector.fromMemorySegment(B16, w, row4 + off + 2, LE);
            ByteVector n5 = ByteVector.fromMemorySegment(B16, w, row5 + off + 2, LE);
            ByteVector n6 = ByteVector.fromMemorySegment(B16, w, row6 + off + 2, LE);
            ByteVector n7 = ByteVector.fromMemorySegment(B16, w, row7 + off + 2, LE);
            for (int p = 0; p < PARTS16; p++) {
                long e = x0 + ((long) k * 32 + p * L) * Float.BYTES;
                FloatVector xl = FloatVector.fromMemorySegment(F, x, e, ORDER);
                FloatVector xh = FloatVector.fromMemorySegment(F, x, e + 16 * Float.BYTES, ORDER);
                IntVector v0 = (IntVector) n0.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, p);
                IntVector v1 = (IntVector) n1.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, p);
                IntVector v2 = (IntVector) n2.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, p);
                IntVector v3 = (IntVector) n3.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, p);
                IntVector v4 = (IntVector) n4.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, p);
                IntVector v5 = (IntVector) n5.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, p);
                IntVector v6 = (IntVector) n6.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, p);
                IntVector v7 = (IntVector) n7.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, p);
                if (L == 16) {
                    // the nibbles index a table of (n - 8) * dw per row, as in q4_0Tile2x8
                    FloatVector nibbles = FloatVector.fromArray(F, NIBBLE_VALUES, 0);
                    IntVector t0 = nibbles.mul(dw0).reinterpretAsInts(), t1 = nibbles.mul(dw1).reinterpretAsInts();
                    IntVector t2 = nibbles.mul(dw2).reinterpretAsInts(), t3 = nibbles.mul(dw3).reinterpretAsInts();
                    IntVector t4 = nibbles.mul(dw4).reinterpretAsInts(), t5 = nibbles.mul(dw5).reinterpretAsInts();
                    IntVector t6 = nibbles.mul(dw6).reinterpretAsInts(), t7 = nibbles.mul(dw7).reinterpretAsInts();
                    a0 = v0.lanewise(VectorOperators.LSHR, 4).selectFrom(t0).reinterpretAsFloats()
                            .fma(xh, v0.selectFrom(t0).reinterpretAsFloats().fma(xl, a0));
                    a1 = v1.lanewise(VectorOperators.LSHR, 4).selectFrom(t1).reinterpretAsFloats()
                            .fma(xh, v1.selectFrom(t1).reinterpretAsFloats().fma(xl, a1));
                    a2 = v2.lanewise(VectorOperators.LSHR, 4).selectFrom(t2).reinterpretAsFloats()
                            .fma(xh, v2.selectFrom(t2).reinterpretAsFloats().fma(xl, a2));
                    a3 = v3.lanewise(VectorOperators.LSHR, 4).selectFrom(t3).reinterpretAsFloats()
                            .fma(xh, v3.selectFrom(t3).reinterpretAsFloats().fma(xl, a3));
                    a4 = v4.lanewise(VectorOperators.LSHR, 4).selectFrom(t4).reinterpretAsFloats()
                            .fma(xh, v4.selectFrom(t4).reinterpretAsFloats().fma(xl, a4));
                    a5 = v5.lanewise(VectorOperators.LSHR, 4).selectFrom(t5).reinterpretAsFloats()
                            .fma(xh, v5.selectFrom(t5).reinterpretAsFloats().fma(xl, a5));
                    a6 = v6.lanewise(VectorOperators.LSHR, 4).selectFrom(t6).reinterpretAsFloats()
                            .fma(xh, v6.selectFrom(t6).reinterpretAsFloats().fma(xl, a6));
                    a7 = v7.lanewise(VectorOperators.LSHR, 4).selectFrom(t7).reinterpretAsFloats()
                            .fma(xh, v7.selectFrom(t7).reinterpretAsFloats().fma(xl, a7));
                } else {
                    a0 = ((FloatVector) v0.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(dw0, -8 * dw0)
                            .fma(xh, ((FloatVector) v0.and(15).convert(VectorOperators.I2F, 0)).fma(dw0, -8 * dw0).fma(xl, a0));
                    a1 = ((FloatVector) v1.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(dw1, -8 * dw1)
                            .fma(xh, ((FloatVector) v1.and(15).convert(VectorOperators.I2F, 0)).fma(dw1, -8 * dw1).fma(xl, a1));
                    a2 = ((FloatVector) v2.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(dw2, -8 * dw2)
                            .fma(xh, ((FloatVector) v2.and(15).convert(VectorOperators.I2F, 0)).fma(dw2, -8 * dw2).fma(xl, a2));
                    a3 = ((FloatVector) v3.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(dw3, -8 * dw3)
                            .fma(xh, ((FloatVector) v3.and(15).convert(VectorOperators.I2F, 0)).fma(dw3, -8 * dw3).fma(xl, a3));
                    a4 = ((FloatVector) v4.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(dw4, -8 * dw4)
                            .fma(xh, ((FloatVector) v4.and(15).convert(VectorOperators.I2F, 0)).fma(dw4, -8 * dw4).fma(xl, a4));
                    a5 = ((FloatVector) v5.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(dw5, -8 * dw5)
                            .fma(xh, ((FloatVector) v5.and(15).convert(VectorOperators.I2F, 0)).fma(dw5, -8 * dw5).fma(xl, a5));
                    a6 = ((FloatVector) v6.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(dw6, -8 * dw6)
                            .fma(xh, ((FloatVector) v6.and(15).convert(VectorOperators.I2F, 0)).fma(dw6, -8 * dw6).fma(xl, a6));
                    a7 = ((FloatVector) v7.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(dw7, -8 * dw7)
                            .fma(xh, ((FloatVector) v7.and(15).convert(VectorOperators.I2F, 0)).fma(dw7, -8 * dw7).fma(xl, a7));
                }
            }
        }
        a0.intoArray(lanes, 0);
        a1.intoArray(lanes, L);
        a2.intoArray(lanes, 2 * L);
        a3.intoArray(lanes, 3 * L);
        a4.intoArray(lanes, 4 * L);
        a5.intoArray(lanes, 5 * L);
        a6.intoArray(lanes, 6 * L);
        a7.intoArray(lanes, 7 * L);
        for (int i = 0; i < 8; i++) {
            out[o + i * outStride] = Vectors.treeSum(lanes, i * L);
        }
    }

    /** {@link #q4_0Tile8x1} for Q8_0: {@link #q8_0Tile4x4}'s arithmetic for one token and eight rows. */
    private static void q8_0Tile8x1(MemorySegment w, long row0, long stride, int blocks, MemorySegment x, long x0, float[] out,
                                    int o, int outStride, float[] lanes) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        long row1 = row0 + stride, row2 = row1 + stride, row3 = row2 + stride, row4 = row3 + stride;
        long row5 = row4 + stride, row6 = row5 + stride, row7 = row6 + stride;
        for (int k = 0; k < blocks; k++) {
            long off = (long) k * 34;
            float dw0 = LittleEndian.half(w, row0 + off);
            float dw1 = LittleEndian.half(w, row1 + off);
            float dw2 = LittleEndian.half(w, row2 + off);
            float dw3 = LittleEndian.half(w, row3 + off);
            float dw4 = LittleEndian.half(w, row4 + off);
            float dw5 = LittleEndian.half(w, row5 + off);
            float dw6 = LittleEndian.half(w, row6 + off);
            float dw7 = LittleEndian.half(w, row7 + off);
            ByteVector l0 = ByteVector.fromMemorySegment(B16, w, row0 + off + 2, LE);
            ByteVector h0 = ByteVector.fromMemorySegment(B16, w, row0 + off + 18, LE);
            ByteVector l1 = ByteVector.fromMemorySegment(B16, w, row1 + off + 2, LE);
            ByteVector h1 = ByteVector.fromMemorySegment(B16, w, row1 + off + 18, LE);
            ByteVector l2 = ByteVector.fromMemorySegment(B16, w, row2 + off + 2, LE);
            ByteVector h2 = ByteVector.fromMemorySegment(B16, w, row2 + off + 18, LE);
            ByteVector l3 = ByteVector.fromMemorySegment(B16, w, row3 + off + 2, LE);
            ByteVector h3 = ByteVector.fromMemorySegment(B16, w, row3 + off + 18, LE);
            ByteVector l4 = ByteVector.fromMemorySegment(B16, w, row4 + off + 2, LE);
            ByteVector h4 = ByteVector.fromMemorySegment(B16, w, row4 + off + 18, LE);
            ByteVector l5 = ByteVector.fromMemorySegment(B16, w, row5 + off + 2, LE);
            ByteVector h5 = ByteVector.fromMemorySegment(B16, w, row5 + off + 18, LE);
            ByteVector l6 = ByteVector.fromMemorySegment(B16, w, row6 + off + 2, LE);
            ByteVector h6 = ByteVector.fromMemorySegment(B16, w, row6 + off + 18, LE);
            ByteVector l7 = ByteVector.fromMemorySegment(B16, w, row7 + off + 2, LE);
            ByteVector h7 = ByteVector.fromMemorySegment(B16, w, row7 + off + 18, LE);
            for (int p = 0; p < PARTS16; p++) {
                long e = x0 + ((long) k * 32 + p * L) * Float.BYTES;
                FloatVector xl = FloatVector.fromMemorySegment(F, x, e, ORDER);
                FloatVector xh = FloatVector.fromMemorySegment(F, x, e + 16 * Float.BYTES, ORDER);
                a0 = ((FloatVector) h0.convertShape(VectorOperators.B2F, F, p)).mul(dw0)
                        .fma(xh, ((FloatVector) l0.convertShape(VectorOperators.B2F, F, p)).mul(dw0).fma(xl, a0));
                a1 = ((FloatVector) h1.convertShape(VectorOperators.B2F, F, p)).mul(dw1)
                        .fma(xh, ((FloatVector) l1.convertShape(VectorOperators.B2F, F, p)).mul(dw1).fma(xl, a1));
                a2 = ((FloatVector) h2.convertShape(VectorOperators.B2F, F, p)).mul(dw2)
                        .fma(xh, ((FloatVector) l2.convertShape(VectorOperators.B2F, F, p)).mul(dw2).fma(xl, a2));
                a3 = ((FloatVector) h3.convertShape(VectorOperators.B2F, F, p)).mul(dw3)
                        .fma(xh, ((FloatVector) l3.convertShape(VectorOperators.B2F, F, p)).mul(dw3).fma(xl, a3));
                a4 = ((FloatVector) h4.convertShape(VectorOperators.B2F, F, p)).mul(dw4)
                        .fma(xh, ((FloatVector) l4.convertShape(VectorOperators.B2F, F, p)).mul(dw4).fma(xl, a4));
                a5 = ((FloatVector) h5.convertShape(VectorOperators.B2F, F, p)).mul(dw5)
                        .fma(xh, ((FloatVector) l5.convertShape(VectorOperators.B2F, F, p)).mul(dw5).fma(xl, a5));
                a6 = ((FloatVector) h6.convertShape(VectorOperators.B2F, F, p)).mul(dw6)
                        .fma(xh, ((FloatVector) l6.convertShape(VectorOperators.B2F, F, p)).mul(dw6).fma(xl, a6));
                a7 = ((FloatVector) h7.convertShape(VectorOperators.B2F, F, p)).mul(dw7)
                        .fma(xh, ((FloatVector) l7.convertShape(VectorOperators.B2F, F, p)).mul(dw7).fma(xl, a7));
            }
        }
        a0.intoArray(lanes, 0);
        a1.intoArray(lanes, L);
        a2.intoArray(lanes, 2 * L);
        a3.intoArray(lanes, 3 * L);
        a4.intoArray(lanes, 4 * L);
        a5.intoArray(lanes, 5 * L);
        a6.intoArray(lanes, 6 * L);
        a7.intoArray(lanes, 7 * L);
        for (int i = 0; i < 8; i++) {
            out[o + i * outStride] = Vectors.treeSum(lanes, i * L);
        }
    }

    /**
     * {@link #q4_0Tile4x4} with 2 rows and 8 tokens: the weight decoding shared by twice the tokens. At 512 bits the
     * nibbles index a per-block table of {@code (n - 8) * dw} (same bits, 5-10% less time: perf/RESULTS.md, "nibbles
     * through a table"). The second row is {@code rowStride} bytes after the first, its outputs {@code outRowStride}
     * after the first's.
     */
    private static void q4_0Tile2x8(MemorySegment w, long row0, long rowStride, int rows, int blocks, MemorySegment x,
                                    int t, int tokens, int cols, float[] out, int o, int outStride, int outRowStride,
                                    float[] lanes) {
        FloatVector zero = FloatVector.zero(F);
        FloatVector a00 = zero, a01 = zero, a02 = zero, a03 = zero, a04 = zero, a05 = zero, a06 = zero, a07 = zero;
        FloatVector a10 = zero, a11 = zero, a12 = zero, a13 = zero, a14 = zero, a15 = zero, a16 = zero, a17 = zero;
        // a missing row or token reads the last real one again (its results are not written)
        long row1 = row0 + Math.min(1, rows - 1) * rowStride;
        long x0 = (long) t * cols * Float.BYTES, rowX = (long) cols * Float.BYTES;
        long x1 = x0 + Math.min(1, tokens - 1) * rowX, x2 = x0 + Math.min(2, tokens - 1) * rowX;
        long x3 = x0 + Math.min(3, tokens - 1) * rowX, x4 = x0 + Math.min(4, tokens - 1) * rowX;
        long x5 = x0 + Math.min(5, tokens - 1) * rowX, x6 = x0 + Math.min(6, tokens - 1) * rowX;
        long x7 = x0 + Math.min(7, tokens - 1) * rowX;
        for (int k = 0; k < blocks; k++) {
            long off = (long) k * 18;
            float dw0 = LittleEndian.half(w, row0 + off);
            float dw1 = LittleEndian.half(w, row1 + off);
            ByteVector n0 = ByteVector.fromMemorySegment(B16, w, row0 + off + 2, LE);
            ByteVector n1 = ByteVector.fromMemorySegment(B16, w, row1 + off + 2, LE);
            for (int p = 0; p < PARTS16; p++) {
                long e = ((long) k * 32 + p * L) * Float.BYTES;
                IntVector v0 = (IntVector) n0.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, p);
                IntVector v1 = (IntVector) n1.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, p);
                FloatVector wl0, wh0, wl1, wh1;
                if (L == 16) {
                    // each row's (n - 8) * dw for n = 0..15 in one vector, a table the nibbles index (one vpermd per
                    // 16 weights instead of a conversion and an FMA)
                    FloatVector nibbles = FloatVector.fromArray(F, NIBBLE_VALUES, 0);
                    IntVector t0 = nibbles.mul(dw0).reinterpretAsInts();
                    IntVector t1 = nibbles.mul(dw1).reinterpretAsInts();
                    // selectFrom takes a lane's index modulo 16: the low nibble needs no mask
                    wl0 = v0.selectFrom(t0).reinterpretAsFloats();
                    wh0 = v0.lanewise(VectorOperators.LSHR, 4).selectFrom(t0).reinterpretAsFloats();
                    wl1 = v1.selectFrom(t1).reinterpretAsFloats();
                    wh1 = v1.lanewise(VectorOperators.LSHR, 4).selectFrom(t1).reinterpretAsFloats();
                } else {
                    // 128/256 bits: a 16-entry table spans several vectors (measured 2-3% slower at 256 bits)
                    wl0 = ((FloatVector) v0.and(15).convert(VectorOperators.I2F, 0)).fma(dw0, -8 * dw0);
                    wh0 = ((FloatVector) v0.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(dw0, -8 * dw0);
                    wl1 = ((FloatVector) v1.and(15).convert(VectorOperators.I2F, 0)).fma(dw1, -8 * dw1);
                    wh1 = ((FloatVector) v1.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(dw1, -8 * dw1);
                }
                FloatVector xl0 = FloatVector.fromMemorySegment(F, x, x0 + e, ORDER);
                FloatVector xh0 = FloatVector.fromMemorySegment(F, x, x0 + e + 16 * Float.BYTES, ORDER);
                a00 = wh0.fma(xh0, wl0.fma(xl0, a00));
                a10 = wh1.fma(xh0, wl1.fma(xl0, a10));
                FloatVector xl1 = FloatVector.fromMemorySegment(F, x, x1 + e, ORDER);
                FloatVector xh1 = FloatVector.fromMemorySegment(F, x, x1 + e + 16 * Float.BYTES, ORDER);
                a01 = wh0.fma(xh1, wl0.fma(xl1, a01));
                a11 = wh1.fma(xh1, wl1.fma(xl1, a11));
                FloatVector xl2 = FloatVector.fromMemorySegment(F, x, x2 + e, ORDER);
                FloatVector xh2 = FloatVector.fromMemorySegment(F, x, x2 + e + 16 * Float.BYTES, ORDER);
                a02 = wh0.fma(xh2, wl0.fma(xl2, a02));
                a12 = wh1.fma(xh2, wl1.fma(xl2, a12));
                FloatVector xl3 = FloatVector.fromMemorySegment(F, x, x3 + e, ORDER);
                FloatVector xh3 = FloatVector.fromMemorySegment(F, x, x3 + e + 16 * Float.BYTES, ORDER);
                a03 = wh0.fma(xh3, wl0.fma(xl3, a03));
                a13 = wh1.fma(xh3, wl1.fma(xl3, a13));
                FloatVector xl4 = FloatVector.fromMemorySegment(F, x, x4 + e, ORDER);
                FloatVector xh4 = FloatVector.fromMemorySegment(F, x, x4 + e + 16 * Float.BYTES, ORDER);
                a04 = wh0.fma(xh4, wl0.fma(xl4, a04));
                a14 = wh1.fma(xh4, wl1.fma(xl4, a14));
                FloatVector xl5 = FloatVector.fromMemorySegment(F, x, x5 + e, ORDER);
                FloatVector xh5 = FloatVector.fromMemorySegment(F, x, x5 + e + 16 * Float.BYTES, ORDER);
                a05 = wh0.fma(xh5, wl0.fma(xl5, a05));
                a15 = wh1.fma(xh5, wl1.fma(xl5, a15));
                FloatVector xl6 = FloatVector.fromMemorySegment(F, x, x6 + e, ORDER);
                FloatVector xh6 = FloatVector.fromMemorySegment(F, x, x6 + e + 16 * Float.BYTES, ORDER);
                a06 = wh0.fma(xh6, wl0.fma(xl6, a06));
                a16 = wh1.fma(xh6, wl1.fma(xl6, a16));
                FloatVector xl7 = FloatVector.fromMemorySegment(F, x, x7 + e, ORDER);
                FloatVector xh7 = FloatVector.fromMemorySegment(F, x, x7 + e + 16 * Float.BYTES, ORDER);
                a07 = wh0.fma(xh7, wl0.fma(xl7, a07));
                a17 = wh1.fma(xh7, wl1.fma(xl7, a17));
            }
        }
        a00.intoArray(lanes, 0);
        a10.intoArray(lanes, L);
        a01.intoArray(lanes, 2 * L);
        a11.intoArray(lanes, 3 * L);
        a02.intoArray(lanes, 4 * L);
        a12.intoArray(lanes, 5 * L);
        a03.intoArray(lanes, 6 * L);
        a13.intoArray(lanes, 7 * L);
        a04.intoArray(lanes, 8 * L);
        a14.intoArray(lanes, 9 * L);
        a05.intoArray(lanes, 10 * L);
        a15.intoArray(lanes, 11 * L);
        a06.intoArray(lanes, 12 * L);
        a16.intoArray(lanes, 13 * L);
        a07.intoArray(lanes, 14 * L);
        a17.intoArray(lanes, 15 * L);
        Vectors.treeSums16(lanes);
        for (int j = 0; j < tokens; j++) {
            for (int i = 0; i < rows; i++) {
                out[o + j * outStride + i * outRowStride] = lanes[Vectors.TREE_SUMS + 2 * j + i];
            }
        }
    }

    /**
     * {@link #q8_0Tile4x4}'s arithmetic in {@link #q4_0Tile2x8}'s shape: each Q8_0 row's decoding shared by eight
     * tokens. The same operations per (row, token) as the 4x4 tile, so a token's result does not depend on the tile.
     * The loads and FMAs repeat q4_0Tile2x8's on purpose: one method for both formats ran 3-5% slower in a model that
     * holds both (a Q4_0 file's Q8_0 output head), C2 then keeping both decodings in the loop (perf/RESULTS.md).
     */
    private static void q8_0Tile2x8(MemorySegment w, long row0, long rowStride, int rows, int blocks, MemorySegment x,
                                    int t, int tokens, int cols, float[] out, int o, int outStride, int outRowStride,
                                    float[] lanes) {
        FloatVector zero = FloatVector.zero(F);
        FloatVector a00 = zero, a01 = zero, a02 = zero, a03 = zero, a04 = zero, a05 = zero, a06 = zero, a07 = zero;
        FloatVector a10 = zero, a11 = zero, a12 = zero, a13 = zero, a14 = zero, a15 = zero, a16 = zero, a17 = zero;
        // a missing row or token reads the last real one again (its results are not written)
        long row1 = row0 + Math.min(1, rows - 1) * rowStride;
        long x0 = (long) t * cols * Float.BYTES, rowX = (long) cols * Float.BYTES;
        long x1 = x0 + Math.min(1, tokens - 1) * rowX, x2 = x0 + Math.min(2, tokens - 1) * rowX;
        long x3 = x0 + Math.min(3, tokens - 1) * rowX, x4 = x0 + Math.min(4, tokens - 1) * rowX;
        long x5 = x0 + Math.min(5, tokens - 1) * rowX, x6 = x0 + Math.min(6, tokens - 1) * rowX;
        long x7 = x0 + Math.min(7, tokens - 1) * rowX;
        for (int k = 0; k < blocks; k++) {
            long off = (long) k * 34;
            float dw0 = LittleEndian.half(w, row0 + off);
            float dw1 = LittleEndian.half(w, row1 + off);
            ByteVector l0 = ByteVector.fromMemorySegment(B16, w, row0 + off + 2, LE);
            ByteVector h0 = ByteVector.fromMemorySegment(B16, w, row0 + off + 18, LE);
            ByteVector l1 = ByteVector.fromMemorySegment(B16, w, row1 + off + 2, LE);
            ByteVector h1 = ByteVector.fromMemorySegment(B16, w, row1 + off + 18, LE);
            for (int p = 0; p < PARTS16; p++) {
                long e = ((long) k * 32 + p * L) * Float.BYTES;
                FloatVector wl0 = ((FloatVector) l0.convertShape(VectorOperators.B2F, F, p)).mul(dw0);
                FloatVector wh0 = ((FloatVector) h0.convertShape(VectorOperators.B2F, F, p)).mul(dw0);
                FloatVector wl1 = ((FloatVector) l1.convertShape(VectorOperators.B2F, F, p)).mul(dw1);
                FloatVector wh1 = ((FloatVector) h1.convertShape(VectorOperators.B2F, F, p)).mul(dw1);
                FloatVector xl0 = FloatVector.fromMemorySegment(F, x, x0 + e, ORDER);
                FloatVector xh0 = FloatVector.fromMemorySegment(F, x, x0 + e + 16 * Float.BYTES, ORDER);
                a00 = wh0.fma(xh0, wl0.fma(xl0, a00));
                a10 = wh1.fma(xh0, wl1.fma(xl0, a10));
                FloatVector xl1 = FloatVector.fromMemorySegment(F, x, x1 + e, ORDER);
                FloatVector xh1 = FloatVector.fromMemorySegment(F, x, x1 + e + 16 * Float.BYTES, ORDER);
                a01 = wh0.fma(xh1, wl0.fma(xl1, a01));
                a11 = wh1.fma(xh1, wl1.fma(xl1, a11));
                FloatVector xl2 = FloatVector.fromMemorySegment(F, x, x2 + e, ORDER);
                FloatVector xh2 = FloatVector.fromMemorySegment(F, x, x2 + e + 16 * Float.BYTES, ORDER);
                a02 = wh0.fma(xh2, wl0.fma(xl2, a02));
                a12 = wh1.fma(xh2, wl1.fma(xl2, a12));
                FloatVector xl3 = FloatVector.fromMemorySegment(F, x, x3 + e, ORDER);
                FloatVector xh3 = FloatVector.fromMemorySegment(F, x, x3 + e + 16 * Float.BYTES, ORDER);
                a03 = wh0.fma(xh3, wl0.fma(xl3, a03));
                a13 = wh1.fma(xh3, wl1.fma(xl3, a13));
                FloatVector xl4 = FloatVector.fromMemorySegment(F, x, x4 + e, ORDER);
                FloatVector xh4 = FloatVector.fromMemorySegment(F, x, x4 + e + 16 * Float.BYTES, ORDER);
                a04 = wh0.fma(xh4, wl0.fma(xl4, a04));
                a14 = wh1.fma(xh4, wl1.fma(xl4, a14));
                FloatVector xl5 = FloatVector.fromMemorySegment(F, x, x5 + e, ORDER);
                FloatVector xh5 = FloatVector.fromMemorySegment(F, x, x5 + e + 16 * Float.BYTES, ORDER);
                a05 = wh0.fma(xh5, wl0.fma(xl5, a05));
                a15 = wh1.fma(xh5, wl1.fma(xl5, a15));
                FloatVector xl6 = FloatVector.fromMemorySegment(F, x, x6 + e, ORDER);
                FloatVector xh6 = FloatVector.fromMemorySegment(F, x, x6 + e + 16 * Float.BYTES, ORDER);
                a06 = wh0.fma(xh6, wl0.fma(xl6, a06));
                a16 = wh1.fma(xh6, wl1.fma(xl6, a16));
                FloatVector xl7 = FloatVector.fromMemorySegment(F, x, x7 + e, ORDER);
                FloatVector xh7 = FloatVector.fromMemorySegment(F, x, x7 + e + 16 * Float.BYTES, ORDER);
                a07 = wh0.fma(xh7, wl0.fma(xl7, a07));
                a17 = wh1.fma(xh7, wl1.fma(xl7, a17));
            }
        }
        a00.intoArray(lanes, 0);
        a10.intoArray(lanes, L);
        a01.intoArray(lanes, 2 * L);
        a11.intoArray(lanes, 3 * L);
        a02.intoArray(lanes, 4 * L);
        a12.intoArray(lanes, 5 * L);
        a03.intoArray(lanes, 6 * L);
        a13.intoArray(lanes, 7 * L);
        a04.intoArray(lanes, 8 * L);
        a14.intoArray(lanes, 9 * L);
        a05.intoArray(lanes, 10 * L);
        a15.intoArray(lanes, 11 * L);
        a06.intoArray(lanes, 12 * L);
        a16.intoArray(lanes, 13 * L);
        a07.intoArray(lanes, 14 * L);
        a17.intoArray(lanes, 15 * L);
        Vectors.treeSums16(lanes);
        for (int j = 0; j < tokens; j++) {
            for (int i = 0; i < rows; i++) {
                out[o + j * outStride + i * outRowStride] = lanes[Vectors.TREE_SUMS + 2 * j + i];
            }
        }
    }

    /** {@link #q4_0Tile4x4} for Q8_0: the weights decoded to {@code q * dw} (exact). */
    private static void q8_0Tile4x4(MemorySegment w, long row0, long rowStride, int rows, int blocks, MemorySegment x,
                                    int t, int tokens, int cols, float[] out, int o, int outStride, int outRowStride,
                                    float[] lanes) {
        FloatVector zero = FloatVector.zero(F);
        FloatVector a00 = zero, a01 = zero, a02 = zero, a03 = zero;
        FloatVector a10 = zero, a11 = zero, a12 = zero, a13 = zero;
        FloatVector a20 = zero, a21 = zero, a22 = zero, a23 = zero;
        FloatVector a30 = zero, a31 = zero, a32 = zero, a33 = zero;
        // a missing row or token reads the last real one again (its results are not written)
        long row1 = row0 + Math.min(1, rows - 1) * rowStride, row2 = row0 + Math.min(2, rows - 1) * rowStride;
        long row3 = row0 + Math.min(3, rows - 1) * rowStride;
        long x0 = (long) t * cols * Float.BYTES, rowX = (long) cols * Float.BYTES;
        long x1 = x0 + Math.min(1, tokens - 1) * rowX, x2 = x0 + Math.min(2, tokens - 1) * rowX;
        long x3 = x0 + Math.min(3, tokens - 1) * rowX;
        for (int k = 0; k < blocks; k++) {
            long off = (long) k * 34;
            float dw0 = LittleEndian.half(w, row0 + off);
            float dw1 = LittleEndian.half(w, row1 + off);
            float dw2 = LittleEndian.half(w, row2 + off);
            float dw3 = LittleEndian.half(w, row3 + off);
            ByteVector l0 = ByteVector.fromMemorySegment(B16, w, row0 + off + 2, LE);
            ByteVector h0 = ByteVector.fromMemorySegment(B16, w, row0 + off + 18, LE);
            ByteVector l1 = ByteVector.fromMemorySegment(B16, w, row1 + off + 2, LE);
            ByteVector h1 = ByteVector.fromMemorySegment(B16, w, row1 + off + 18, LE);
            ByteVector l2 = ByteVector.fromMemorySegment(B16, w, row2 + off + 2, LE);
            ByteVector h2 = ByteVector.fromMemorySegment(B16, w, row2 + off + 18, LE);
            ByteVector l3 = ByteVector.fromMemorySegment(B16, w, row3 + off + 2, LE);
            ByteVector h3 = ByteVector.fromMemorySegment(B16, w, row3 + off + 18, LE);
            for (int p = 0; p < PARTS16; p++) {
                long e = ((long) k * 32 + p * L) * Float.BYTES;
                FloatVector wl0 = ((FloatVector) l0.convertShape(VectorOperators.B2F, F, p)).mul(dw0);
                FloatVector wh0 = ((FloatVector) h0.convertShape(VectorOperators.B2F, F, p)).mul(dw0);
                FloatVector wl1 = ((FloatVector) l1.convertShape(VectorOperators.B2F, F, p)).mul(dw1);
                FloatVector wh1 = ((FloatVector) h1.convertShape(VectorOperators.B2F, F, p)).mul(dw1);
                FloatVector wl2 = ((FloatVector) l2.convertShape(VectorOperators.B2F, F, p)).mul(dw2);
                FloatVector wh2 = ((FloatVector) h2.convertShape(VectorOperators.B2F, F, p)).mul(dw2);
                FloatVector wl3 = ((FloatVector) l3.convertShape(VectorOperators.B2F, F, p)).mul(dw3);
                FloatVector wh3 = ((FloatVector) h3.convertShape(VectorOperators.B2F, F, p)).mul(dw3);
                FloatVector xl0 = FloatVector.fromMemorySegment(F, x, x0 + e, ORDER);
                FloatVector xh0 = FloatVector.fromMemorySegment(F, x, x0 + e + 16 * Float.BYTES, ORDER);
                a00 = wh0.fma(xh0, wl0.fma(xl0, a00));
                a10 = wh1.fma(xh0, wl1.fma(xl0, a10));
                a20 = wh2.fma(xh0, wl2.fma(xl0, a20));
                a30 = wh3.fma(xh0, wl3.fma(xl0, a30));
                FloatVector xl1 = FloatVector.fromMemorySegment(F, x, x1 + e, ORDER);
                FloatVector xh1 = FloatVector.fromMemorySegment(F, x, x1 + e + 16 * Float.BYTES, ORDER);
                a01 = wh0.fma(xh1, wl0.fma(xl1, a01));
                a11 = wh1.fma(xh1, wl1.fma(xl1, a11));
                a21 = wh2.fma(xh1, wl2.fma(xl1, a21));
                a31 = wh3.fma(xh1, wl3.fma(xl1, a31));
                FloatVector xl2 = FloatVector.fromMemorySegment(F, x, x2 + e, ORDER);
                FloatVector xh2 = FloatVector.fromMemorySegment(F, x, x2 + e + 16 * Float.BYTES, ORDER);
                a02 = wh0.fma(xh2, wl0.fma(xl2, a02));
                a12 = wh1.fma(xh2, wl1.fma(xl2, a12));
                a22 = wh2.fma(xh2, wl2.fma(xl2, a22));
                a32 = wh3.fma(xh2, wl3.fma(xl2, a32));
                FloatVector xl3 = FloatVector.fromMemorySegment(F, x, x3 + e, ORDER);
                FloatVector xh3 = FloatVector.fromMemorySegment(F, x, x3 + e + 16 * Float.BYTES, ORDER);
                a03 = wh0.fma(xh3, wl0.fma(xl3, a03));
                a13 = wh1.fma(xh3, wl1.fma(xl3, a13));
                a23 = wh2.fma(xh3, wl2.fma(xl3, a23));
                a33 = wh3.fma(xh3, wl3.fma(xl3, a33));
            }
        }
        a00.intoArray(lanes, 0);
        a10.intoArray(lanes, L);
        a20.intoArray(lanes, 2 * L);
        a30.intoArray(lanes, 3 * L);
        a01.intoArray(lanes, 4 * L);
        a11.intoArray(lanes, 5 * L);
        a21.intoArray(lanes, 6 * L);
        a31.intoArray(lanes, 7 * L);
        a02.intoArray(lanes, 8 * L);
        a12.intoArray(lanes, 9 * L);
        a22.intoArray(lanes, 10 * L);
        a32.intoArray(lanes, 11 * L);
        a03.intoArray(lanes, 12 * L);
        a13.intoArray(lanes, 13 * L);
        a23.intoArray(lanes, 14 * L);
        a33.intoArray(lanes, 15 * L);
        Vectors.treeSums16(lanes);
        for (int j = 0; j < tokens; j++) {
            for (int i = 0; i < rows; i++) {
                out[o + j * outStride + i * outRowStride] = lanes[Vectors.TREE_SUMS + 4 * j + i];
            }
        }
    }

}
