package io.starling.tensor;

import io.starling.gguf.GgmlType;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The K-quant dot products (Q2_K, Q3_K, Q4_K, Q5_K, Q6_K against Q8_K activations) with the float arithmetic of
 * ggml's AVX2 kernels, which its AVX-512 builds use. Within a super-block everything is an exact integer sum;
 * what decides the bits is where those sums are rounded to float. In every one of these kernels, int32 lane L
 * (of eight) collects scale * weight quant * activation quant over the elements whose index mod 32 lies in
 * [4L, 4L + 4), and each super-block adds {@code d_y * d_x} times each lane's sum into eight float lanes by
 * FMA, summed by a halving tree at the end. The minimum terms differ by type:
 * <ul>
 *   <li>Q2_K: lane L also takes {@code -d_y * dmin_x} times min[2L] * bsum[2L] + min[2L+1] * bsum[2L+1], by FMA
 *       into the same lanes, before the scale term;</li>
 *   <li>Q4_K: four extra lanes, p taking that product for 32-element sub-blocks 2p and 2p+1, reduced
 *       (0 + 2) + (1 + 3) and added after the main tree;</li>
 *   <li>Q5_K: one scalar, the FMA of {@code -d_y * dmin_x} and the integer total, added after the main tree;</li>
 *   <li>Q3_K, Q6_K: no minimum (their quants are signed).</li>
 * </ul>
 * The decoded weight quants are effective signed integers (Q3_K's high bit and Q6_K's offset applied), with one
 * scale per 16 elements. The integer sums are formed in float vectors, exactly: a product scale * quant * q8 stays
 * below 2^19.1 and a lane's sum of 32 of them below 2^24 (Q6_K's extreme, 128 * 32 * 127 * 32, is 16,646,144), so
 * every partial sum is an integer a float holds exactly, whatever the vector width. Position j of a super-block
 * (its index mod 32) is accumulated over the eight 32-element chunks, then lane L adds positions 4L..4L+3 as ints.
 * Q4_K and Q6_K (the formats of Q4_K_M files) decode a row with vector operations; the others element by element.
 */
final class KQuantDot {
    private static final int BLOCK = 256;
    private static final java.nio.ByteOrder LE = java.nio.ByteOrder.LITTLE_ENDIAN;

    private final GgmlType type;
    private final int bytesPerBlock;
    private final int[] scales = new int[16];
    private final int[] mins = new int[16];
    private final float[] lanes = new float[8];
    private final float[] minLanes = new float[4];
    private float dx;
    private float dminX;
    /** Sums per position (index mod 32) of the super-block being dotted. */
    private final float[] positions = new float[32];
    // one decoded row, reused for every token of the batch: the quant per element in natural order, the scale per
    // 16 elements, d, dmin and mins per block
    private float[] rowQuants = new float[0];
    private float[] rowScales = new float[0];
    private float[] rowD = new float[0];
    private float[] rowDmin = new float[0];
    private int[] rowMins = new int[0];

    private KQuantDot(GgmlType type) {
        this.type = type;
        this.bytesPerBlock = (int) type.bytesPerBlock();
    }

    private static final ThreadLocal<java.util.EnumMap<GgmlType, KQuantDot>> LOCAL =
            ThreadLocal.withInitial(() -> new java.util.EnumMap<>(GgmlType.class));

    /** The kernel body of every K-quant format: quantize the batch to Q8_K once, then one dot per row and token. */
    static void multiplyRows(GgmlType type, MemorySegment w, long rowBytes, int cols, float[] x, int xOffset,
                             int batch, float[] out, int outOffset, int outStride, int rowStart, int rowEnd) {
        Q8_KActivations activations = Q8_KActivations.local();
        activations.quantize(x, xOffset, batch * cols);
        KQuantDot dot = LOCAL.get().computeIfAbsent(type, KQuantDot::new);
        int blocks = cols / BLOCK;
        for (int r = rowStart; r < rowEnd; r++) {
            dot.decodeRow(w, r * rowBytes, blocks);
            for (int b = 0; b < batch; b++) {
                out[outOffset + b * outStride + r] = dot.dot(blocks, activations, b * blocks);
            }
        }
    }

    private void decodeRow(MemorySegment w, long row, int blocks) {
        if (rowD.length < blocks) {
            rowQuants = new float[blocks * BLOCK];
            rowScales = new float[blocks * 16];
            rowD = new float[blocks];
            rowDmin = new float[blocks];
            rowMins = new int[blocks * 16];
        }
        for (int i = 0; i < blocks; i++) {
            decode(w, row + (long) i * bytesPerBlock, i * BLOCK);
            for (int sb = 0; sb < 16; sb++) {
                rowScales[i * 16 + sb] = scales[sb];
            }
            rowD[i] = dx;
            rowDmin[i] = dminX;
            System.arraycopy(mins, 0, rowMins, i * 16, 16);
        }
    }

    private float dot(int blocks, Q8_KActivations a, int firstBlock) {
        java.util.Arrays.fill(lanes, 0f);
        java.util.Arrays.fill(minLanes, 0f);
        float minSum = 0f;
        int[] mins = rowMins;
        for (int i = 0; i < blocks; i++) {
            int yb = firstBlock + i;
            float yd = a.d[yb];
            float d = yd * rowD[i];
            float dmin = -yd * rowDmin[i];
            int bs = yb * 16;
            int m = i * 16;
            switch (type) {
                case Q2_K -> {
                    for (int lane = 0; lane < 8; lane++) {
                        int prod = mins[m + 2 * lane] * a.bsums[bs + 2 * lane] + mins[m + 2 * lane + 1] * a.bsums[bs + 2 * lane + 1];
                        lanes[lane] = Math.fma(dmin, (float) prod, lanes[lane]);
                    }
                }
                case Q4_K, Q5_K -> {
                    int total = 0;
                    for (int p = 0; p < 4; p++) {
                        // mins are per 32 elements (stored twice in mins[]), bsums per 16
                        int prod = mins[m + 4 * p] * (a.bsums[bs + 4 * p] + a.bsums[bs + 4 * p + 1])
                                + mins[m + 4 * p + 2] * (a.bsums[bs + 4 * p + 2] + a.bsums[bs + 4 * p + 3]);
                        minLanes[p] = Math.fma(dmin, (float) prod, minLanes[p]);
                        total += prod;
                    }
                    minSum = Math.fma(dmin, (float) total, minSum);
                }
                default -> {
                }
            }
            int yq = yb * BLOCK;
            int wq = i * BLOCK;
            float[] qw = rowQuants;
            float[] qx = a.qf;
            for (int p = 0; p < 32; p += Vectors.L) {
                FloatVector acc = FloatVector.zero(Vectors.F);
                for (int c = 0; c < BLOCK; c += 32) {
                    int e = c + p;
                    acc = FloatVector.fromArray(Vectors.F, qw, wq + e).mul(FloatVector.fromArray(Vectors.F, qx, yq + e))
                            .fma(FloatVector.broadcast(Vectors.F, rowScales[i * 16 + (e >> 4)]), acc);
                }
                acc.intoArray(positions, p);
            }
            for (int lane = 0; lane < 8; lane++) {
                int sum = (int) positions[4 * lane] + (int) positions[4 * lane + 1] + (int) positions[4 * lane + 2]
                        + (int) positions[4 * lane + 3];
                lanes[lane] = Math.fma(d, (float) sum, lanes[lane]);
            }
        }
        float result = GgmlDot.tree(lanes, 8);
        return switch (type) {
            case Q4_K -> result + ((minLanes[0] + minLanes[2]) + (minLanes[1] + minLanes[3]));
            case Q5_K -> result + minSum;
            default -> result;
        };
    }

    /** Element e of the super-block at {@code base}: its quant (the scale is applied in the dot). */
    private void put(int base, int e, int quant) {
        rowQuants[base + e] = quant;
    }

    /**
     * Decodes one super-block into dx, dminX, scales[16] (per 16 elements), mins[16] and, from
     * {@code rowQuants[base]}, the quant of each element.
     */
    private void decode(MemorySegment src, long block, int base) {
        switch (type) {
            case Q2_K -> {
                dx = LittleEndian.half(src, block + 80);
                dminX = LittleEndian.half(src, block + 82);
                for (int sb = 0; sb < 16; sb++) {
                    int packed = LittleEndian.ubyte(src, block + sb);
                    scales[sb] = packed & 0xF;
                    mins[sb] = packed >>> 4;
                }
                for (int e = 0; e < BLOCK; e++) {
                    int half = e >> 7;
                    int pair = (e >> 5) & 3;
                    int l = e & 31;
                    put(base, e, (LittleEndian.ubyte(src, block + 16 + 32 * half + l) >>> (2 * pair)) & 3);
                }
            }
            case Q3_K -> {
                dx = LittleEndian.half(src, block + 108);
                for (int sb = 0; sb < 16; sb++) {
                    scales[sb] = Q3_KFormat.scale(src, block, sb);
                }
                for (int e = 0; e < BLOCK; e++) {
                    int half = e >> 7;
                    int pair = (e >> 5) & 3;
                    int l = e & 31;
                    int low = (LittleEndian.ubyte(src, block + 32 + 32 * half + l) >>> (2 * pair)) & 3;
                    boolean high = (LittleEndian.ubyte(src, block + l) & (1 << (4 * half + pair))) != 0;
                    put(base, e, high ? low : low - 4);
                }
            }
            case Q4_K, Q5_K -> {
                boolean five = type == GgmlType.Q5_K;
                dx = LittleEndian.half(src, block);
                dminX = LittleEndian.half(src, block + 2);
                for (int sb = 0; sb < 8; sb++) {
                    scales[2 * sb] = scales[2 * sb + 1] = KScales.scale(src, block + 4, sb);
                    mins[2 * sb] = mins[2 * sb + 1] = KScales.min(src, block + 4, sb);
                }
                long nibbles = block + (five ? 48 : 16);
                if (!five) {
                    decodeNibbles(src, nibbles, base);
                    break;
                }
                for (int chunk = 0; chunk < 4; chunk++) {
                    for (int l = 0; l < 32; l++) {
                        int q = LittleEndian.ubyte(src, nibbles + 32 * chunk + l);
                        int fifth = LittleEndian.ubyte(src, block + 16 + l) >>> (2 * chunk);
                        put(base, 64 * chunk + l, (q & 0xF) | (fifth & 1) << 4);
                        put(base, 64 * chunk + 32 + l, (q >>> 4) | (fifth & 2) << 3);
                    }
                }
            }
            case Q6_K -> {
                dx = LittleEndian.half(src, block + 208);
                for (int sb = 0; sb < 16; sb++) {
                    scales[sb] = src.get(ValueLayout.JAVA_BYTE, block + 192 + sb);
                }
                decodeQ6_K(src, block, base);
            }
            default -> throw new IllegalArgumentException(type + " is not a K-quant");
        }
    }

    /** Q4_K's 128 bytes of nibbles: byte 32c + l holds elements 64c + l (low) and 64c + 32 + l (high). */
    private void decodeNibbles(MemorySegment src, long nibbles, int base) {
        for (int chunk = 0; chunk < 4; chunk++) {
            for (int l = 0; l < 32; l += 16) {
                ByteVector n = ByteVector.fromMemorySegment(Vectors.B16, src, nibbles + 32 * chunk + l, LE);
                int e = base + 64 * chunk + l;
                for (int p = 0; p < Vectors.PARTS16; p++) {
                    IntVector v = (IntVector) n.convertShape(VectorOperators.ZERO_EXTEND_B2I, Vectors.I, p);
                    ((FloatVector) v.and(15).convert(VectorOperators.I2F, 0)).intoArray(rowQuants, e + p * Vectors.L);
                    ((FloatVector) v.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0))
                            .intoArray(rowQuants, e + 32 + p * Vectors.L);
                }
            }
        }
    }

    /**
     * Q6_K's quants: for each half h and l < 32, low nibbles from ql[64h + l] and ql[64h + 32 + l], two high bits
     * each from qh[32h + l], minus 32; elements 128h + l, + 32, + 64, + 96.
     */
    private void decodeQ6_K(MemorySegment src, long block, int base) {
        for (int half = 0; half < 2; half++) {
            for (int l = 0; l < 32; l += 16) {
                ByteVector q01 = ByteVector.fromMemorySegment(Vectors.B16, src, block + 64 * half + l, LE);
                ByteVector q23 = ByteVector.fromMemorySegment(Vectors.B16, src, block + 64 * half + 32 + l, LE);
                ByteVector qh = ByteVector.fromMemorySegment(Vectors.B16, src, block + 128 + 32 * half + l, LE);
                int e = base + 128 * half + l;
                for (int p = 0; p < Vectors.PARTS16; p++) {
                    IntVector a = (IntVector) q01.convertShape(VectorOperators.ZERO_EXTEND_B2I, Vectors.I, p);
                    IntVector b = (IntVector) q23.convertShape(VectorOperators.ZERO_EXTEND_B2I, Vectors.I, p);
                    IntVector h = (IntVector) qh.convertShape(VectorOperators.ZERO_EXTEND_B2I, Vectors.I, p);
                    int at = e + p * Vectors.L;
                    ((FloatVector) a.and(15).or(h.and(3).lanewise(VectorOperators.LSHL, 4)).sub(32)
                            .convert(VectorOperators.I2F, 0)).intoArray(rowQuants, at);
                    ((FloatVector) b.and(15).or(h.lanewise(VectorOperators.LSHR, 2).and(3).lanewise(VectorOperators.LSHL, 4))
                            .sub(32).convert(VectorOperators.I2F, 0)).intoArray(rowQuants, at + 32);
                    ((FloatVector) a.lanewise(VectorOperators.LSHR, 4).or(h.lanewise(VectorOperators.LSHR, 4).and(3)
                            .lanewise(VectorOperators.LSHL, 4)).sub(32).convert(VectorOperators.I2F, 0))
                            .intoArray(rowQuants, at + 64);
                    ((FloatVector) b.lanewise(VectorOperators.LSHR, 4).or(h.lanewise(VectorOperators.LSHR, 6)
                            .lanewise(VectorOperators.LSHL, 4)).sub(32).convert(VectorOperators.I2F, 0))
                            .intoArray(rowQuants, at + 96);
                }
            }
        }
    }
}
