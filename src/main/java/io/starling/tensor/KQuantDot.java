package io.starling.tensor;

import io.starling.gguf.GgmlType;

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
 * scale per 16 elements. Scalar code: exactness here, speed in the Q4_0/Q8_0 kernels.
 */
final class KQuantDot {
    private static final int BLOCK = 256;

    private final GgmlType type;
    private final int bytesPerBlock;
    private final int[] scales = new int[16];
    private final int[] mins = new int[16];
    private final float[] lanes = new float[8];
    private final float[] minLanes = new float[4];
    private float dx;
    private float dminX;
    // one decoded row, reused for every token of the batch: scale * quant per element, d, dmin and mins per block
    private int[] rowWeights = new int[0];
    private float[] rowD = new float[0];
    private float[] rowDmin = new float[0];
    private int[] rowMins = new int[0];

    private KQuantDot(GgmlType type) {
        this.type = type;
        this.bytesPerBlock = (int) type.bytesPerBlock();
    }

    private static final ThreadLocal<java.util.EnumMap<GgmlType, KQuantDot>> LOCAL =
            ThreadLocal.withInitial(() -> new java.util.EnumMap<>(GgmlType.class));

    /**
     * Where element {@code e} of a super-block goes in lane order: ggml's int32 lane L takes the elements
     * whose index mod 32 lies in [4L, 4L + 4); lane order puts those 32 elements at [32L, 32L + 32).
     */
    private static final int[] LANE_ORDER = new int[BLOCK];

    static {
        for (int e = 0; e < BLOCK; e++) {
            LANE_ORDER[e] = 32 * ((e & 31) >> 2) + 4 * (e >> 5) + (e & 3);
        }
    }

    /** {@link #LANE_ORDER} for an index into a run of super-blocks. */
    static int laneOrder(int index) {
        return (index & ~(BLOCK - 1)) + LANE_ORDER[index & (BLOCK - 1)];
    }

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
            rowWeights = new int[blocks * BLOCK];
            rowD = new float[blocks];
            rowDmin = new float[blocks];
            rowMins = new int[blocks * 16];
        }
        for (int i = 0; i < blocks; i++) {
            decode(w, row + (long) i * bytesPerBlock, i * BLOCK);
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
            for (int lane = 0; lane < 8; lane++) {
                // an integer sum: exact in any order, so any vector width gives ggml's lane value
                IntVector acc = IntVector.zero(Vectors.I);
                for (int j = 32 * lane; j < 32 * lane + 32; j += Vectors.I.length()) {
                    acc = IntVector.fromArray(Vectors.I, rowWeights, wq + j)
                            .mul(IntVector.fromArray(Vectors.I, a.laneOrdered, yq + j)).add(acc);
                }
                lanes[lane] = Math.fma(d, (float) acc.reduceLanes(VectorOperators.ADD), lanes[lane]);
            }
        }
        float result = GgmlDot.tree(lanes, 8);
        return switch (type) {
            case Q4_K -> result + ((minLanes[0] + minLanes[2]) + (minLanes[1] + minLanes[3]));
            case Q5_K -> result + minSum;
            default -> result;
        };
    }

    /** Element e of the super-block at {@code base}: its scale times its quant, stored in lane order. */
    private void put(int base, int e, int quant) {
        rowWeights[base + LANE_ORDER[e]] = scales[e >> 4] * quant;
    }

    /**
     * Decodes one super-block into dx, dminX, scales[16] (per 16 elements), mins[16] and, from
     * {@code rowWeights[base]}, scale * quant per element in lane order.
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
                for (int chunk = 0; chunk < 4; chunk++) {
                    for (int l = 0; l < 32; l++) {
                        int q = LittleEndian.ubyte(src, nibbles + 32 * chunk + l);
                        int lo = q & 0xF;
                        int hi = q >>> 4;
                        if (five) {
                            int fifth = LittleEndian.ubyte(src, block + 16 + l) >>> (2 * chunk);
                            lo |= (fifth & 1) << 4;
                            hi |= (fifth & 2) << 3;
                        }
                        put(base, 64 * chunk + l, lo);
                        put(base, 64 * chunk + 32 + l, hi);
                    }
                }
            }
            case Q6_K -> {
                dx = LittleEndian.half(src, block + 208);
                for (int sb = 0; sb < 16; sb++) {
                    scales[sb] = src.get(ValueLayout.JAVA_BYTE, block + 192 + sb);
                }
                for (int half = 0; half < 2; half++) {
                    for (int l = 0; l < 32; l++) {
                        int q01 = LittleEndian.ubyte(src, block + 64 * half + l);
                        int q23 = LittleEndian.ubyte(src, block + 64 * half + 32 + l);
                        int h = LittleEndian.ubyte(src, block + 128 + 32 * half + l);
                        int e = 128 * half + l;
                        put(base, e, ((q01 & 0xF) | (h & 3) << 4) - 32);
                        put(base, e + 32, ((q23 & 0xF) | (h >>> 2 & 3) << 4) - 32);
                        put(base, e + 64, ((q01 >>> 4) | (h >>> 4 & 3) << 4) - 32);
                        put(base, e + 96, ((q23 >>> 4) | (h >>> 6) << 4) - 32);
                    }
                }
            }
            default -> throw new IllegalArgumentException(type + " is not a K-quant");
        }
    }
}
