package io.starling.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector shape every kernel uses, fixed once per JVM: {@code -Dstarling.vector.bits=128|256|512} chooses it,
 * otherwise the platform's preferred shape (512 bits on AVX-512). The species are {@code static final} so that
 * C2 compiles the Vector API calls in the kernels to plain SIMD instructions; a species chosen per call would
 * not be constant-folded and every vector would be boxed. Tests run the kernel suite once per shape, each in
 * its own JVM (see the surefire executions in the pom).
 */
public final class Vectors {
    /** The system property that selects the vector width in bits. */
    public static final String BITS_PROPERTY = "starling.vector.bits";

    static final VectorShape SHAPE = shape(System.getProperty(BITS_PROPERTY));
    /** Floats of the chosen width: 4, 8 or 16 lanes. */
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED.withShape(SHAPE);
    static final int L = F.length();
    /** 16 bytes: a Q4_0 block's nibbles, or half of a Q8_0 block; widened to floats {@link #PARTS16} at a time. */
    static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
    /** How many float vectors 16 widened bytes fill. */
    static final int PARTS16 = 16 / L;
    /** Shorts of half the chosen width: they widen to exactly one float vector (F16 and BF16 weights). */
    static final VectorSpecies<Short> S_HALF = ShortVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(SHAPE.vectorBitSize() / 2));
    static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED.withShape(SHAPE);
    /** Lane i takes lane i + L/2: a vector's upper half moved down (and its lower half up). */
    private static final VectorShuffle<Float> ROTATE_HALF = VectorShuffle.iota(F, L / 2, 1, true);
    private static final VectorMask<Float> UPPER_HALF = VectorMask.fromLong(F, ((1L << L) - 1) ^ ((1L << (L / 2)) - 1));
    /**
     * {@link #treeSums16}'s permutations at 512 bits: each group of 8, 4 or 2 lanes (one vector's partial sums) sends
     * its lower half to the vector's lower half and its upper half to the upper half, groups in order.
     */
    private static final VectorShuffle<Float> HALVES_OF_8 = halves(8);
    private static final VectorShuffle<Float> HALVES_OF_4 = halves(4);
    private static final VectorShuffle<Float> HALVES_OF_2 = halves(2);

    /*
     * FloatVector.reduceLanes(ADD) may add the lanes in a different order in compiled and in interpreted code, so
     * the same dot product could round differently early and late in a run, and the same seed would not always give
     * the same tokens (GenerateCommandTest.sameSeedSameText caught it). sum() adds the lanes in lane order, the same
     * in every execution mode; it reproduces the figures compiled reduceLanes gave here, while a pairwise tree
     * order, also deterministic, moved one quantized golden check (stories260K-Q4_0) past its tolerance when the
     * single-token kernels used it. The decode tiles, whose arithmetic differs from those kernels' in the last bits
     * anyway, add by the halving tree ({@link #treeSums16}): golden conformance passes with it.
     */
    private Vectors() {
    }

    /** The sum of the lanes, added in lane order however the code runs (unlike reduceLanes(ADD)). */
    static float sum(FloatVector v) {
        float s = v.lane(0);
        for (int i = 1; i < L; i++) {
            s += v.lane(i);
        }
        return s;
    }

    /**
     * {@link #sum}'s result for a vector already stored at {@code lanes[offset ..]}: kernels that finish eight
     * accumulators at once store them and add here, a store and sixteen loads instead of sixteen lane extractions
     * (which took 7% of a decode step at 512 bits).
     */
    static float sumStored(float[] lanes, int offset) {
        float s = lanes[offset];
        for (int i = 1; i < L; i++) {
            s += lanes[offset + i];
        }
        return s;
    }

    /** Where {@link #treeSums16} writes its sixteen sums in the lane buffer. */
    static final int TREE_SUMS = 30 * L;

    /**
     * The halving tree of the lanes of the vector stored at {@code lanes[offset ..]} (lane i + lane i + L/2, then
     * + L/4, ... + 1), in place: the sum every decode tile gives a (row, token) accumulator.
     */
    static float treeSum(float[] lanes, int offset) {
        for (int half = L / 2; half >= 1; half /= 2) {
            for (int i = 0; i < half; i++) {
                lanes[offset + i] += lanes[offset + i + half];
            }
        }
        return lanes[offset];
    }

    /**
     * {@link #treeSum} of the sixteen vectors stored at {@code lanes[0 ..]}, written to {@code lanes[TREE_SUMS ..]};
     * the buffer in between is scratch. At 512 bits four stages of pairs: each pairs the lower halves of two
     * vectors' partial sums with their upper halves and adds, so that after the last one lane k holds vector k's sum
     * (a permutation, two blends and an add per pair: 29 ns against 47 for gathering the lanes, perf/RESULTS.md).
     */
    static void treeSums16(float[] lanes) {
        if (L != 16) {
            for (int k = 0; k < 16; k++) {
                lanes[TREE_SUMS + k] = treeSum(lanes, k * L);
            }
            return;
        }
        // vector k of a stage holds 2^s vectors' partial sums of L / 2^s lanes each, in vector order; the stage's
        // permutation puts each one's lower lanes in the lower half, its upper lanes in the upper half (written out
        // stage by stage: a shuffle taken from an array is no constant, and C2 would not compile the rearrange)
        for (int p = 0; p < 8; p++) {
            FloatVector a = FloatVector.fromArray(F, lanes, 2 * p * L);
            FloatVector b = FloatVector.fromArray(F, lanes, (2 * p + 1) * L);
            pairHalves(a, b).intoArray(lanes, 16 * L + p * L);
        }
        for (int p = 0; p < 4; p++) {
            FloatVector a = FloatVector.fromArray(F, lanes, 16 * L + 2 * p * L).rearrange(HALVES_OF_8);
            FloatVector b = FloatVector.fromArray(F, lanes, 16 * L + (2 * p + 1) * L).rearrange(HALVES_OF_8);
            pairHalves(a, b).intoArray(lanes, 24 * L + p * L);
        }
        for (int p = 0; p < 2; p++) {
            FloatVector a = FloatVector.fromArray(F, lanes, 24 * L + 2 * p * L).rearrange(HALVES_OF_4);
            FloatVector b = FloatVector.fromArray(F, lanes, 24 * L + (2 * p + 1) * L).rearrange(HALVES_OF_4);
            pairHalves(a, b).intoArray(lanes, 28 * L + p * L);
        }
        FloatVector a = FloatVector.fromArray(F, lanes, 28 * L).rearrange(HALVES_OF_2);
        FloatVector b = FloatVector.fromArray(F, lanes, 29 * L).rearrange(HALVES_OF_2);
        pairHalves(a, b).intoArray(lanes, TREE_SUMS);
    }

    /** a's lower half beside b's lower half, plus a's upper half beside b's upper half. */
    private static FloatVector pairHalves(FloatVector a, FloatVector b) {
        return a.blend(b.rearrange(ROTATE_HALF), UPPER_HALF).add(a.rearrange(ROTATE_HALF).blend(b, UPPER_HALF));
    }

    /** The vector width the kernels use, in bits. */
    public static int bits() {
        return SHAPE.vectorBitSize();
    }

    /** Float lanes per vector. */
    public static int floatLanes() {
        return L;
    }

    /**
     * The float species the kernels use, for vector code outside this package: a width pinned by
     * {@value #BITS_PROPERTY} applies to it too, so sums come out in the same lane order as the kernels'.
     */
    public static VectorSpecies<Float> floatSpecies() {
        return F;
    }

    private static VectorShuffle<Float> halves(int group) {
        if (L != 16) {
            // the network runs at 512 bits only
            return VectorShuffle.iota(F, 0, 1, true);
        }
        int[] order = new int[L];
        int low = 0;
        int high = L / 2;
        for (int g = 0; g < L; g += group) {
            for (int i = 0; i < group / 2; i++) {
                order[low++] = g + i;
                order[high++] = g + group / 2 + i;
            }
        }
        return VectorShuffle.fromArray(F, order, 0);
    }

    private static VectorShape shape(String property) {
        if (property == null || property.isBlank()) {
            int preferred = FloatVector.SPECIES_PREFERRED.vectorBitSize();
            return VectorShape.forBitSize(Math.min(512, Math.max(128, preferred)));
        }
        return switch (property.trim()) {
            case "128" -> VectorShape.S_128_BIT;
            case "256" -> VectorShape.S_256_BIT;
            case "512" -> VectorShape.S_512_BIT;
            default -> throw new IllegalArgumentException(BITS_PROPERTY + " must be 128, 256 or 512, got " + property);
        };
    }
}
