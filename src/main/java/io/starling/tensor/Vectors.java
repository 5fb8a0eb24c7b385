package io.starling.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.util.stream.IntStream;

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
    /** Offsets of lane j of L consecutive stored vectors: lane k of the gather is element j of vector k. */
    private static final int[] STORED_COLUMN = IntStream.range(0, L).map(k -> k * L).toArray();

    /*
     * FloatVector.reduceLanes(ADD) may add the lanes in a different order in compiled and in interpreted code, so
     * the same dot product could round differently early and late in a run, and the same seed would not always give
     * the same tokens (GenerateCommandTest.sameSeedSameText caught it). sum() adds the lanes in lane order, the same
     * in every execution mode; it reproduces the figures compiled reduceLanes gave here, while a pairwise tree
     * order, also deterministic, moved one quantized golden check (stories260K-Q4_0) past its tolerance.
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

    /**
     * {@link #sumStored} of {@code count} vectors stored one after the other from {@code lanes[offset]} ({@code count}
     * a multiple of {@link #L}), written to {@code lanes[sums ..]}: the same additions in the same order, a vector of
     * them at once (lane j of L vectors gathered, added in lane order).
     */
    static void sumStoredAll(float[] lanes, int offset, int count, int sums) {
        for (int g = 0; g < count; g += L) {
            int base = offset + g * L;
            FloatVector s = FloatVector.fromArray(F, lanes, base, STORED_COLUMN, 0);
            for (int j = 1; j < L; j++) {
                s = s.add(FloatVector.fromArray(F, lanes, base + j, STORED_COLUMN, 0));
            }
            s.intoArray(lanes, sums + g);
        }
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
