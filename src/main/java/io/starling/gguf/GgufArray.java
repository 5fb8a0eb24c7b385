package io.starling.gguf;

import java.lang.reflect.Array;
import java.util.Arrays;
import java.util.Objects;

/**
 * A GGUF metadata array: its element type and the elements as one primitive Java array, so a 32000-entry vocab is one
 * {@code String[]} and its scores one {@code float[]}, not 32000 boxed objects.
 *
 * <p>The Java array per element type: {@code int[]} for UINT8, INT8, UINT16, INT16 and INT32 (unsigned ones
 * zero-extended), {@code long[]} for UINT32, INT64 and UINT64 (UINT64 keeps its bits, so values above 2^63 are
 * negative), {@code float[]} FLOAT32, {@code double[]} FLOAT64, {@code boolean[]} BOOL, {@code String[]} STRING and
 * {@code GgufArray[]} for nested arrays.
 *
 * <p>The array is shared, not copied: callers must not modify it. Equality compares the elements.
 */
public record GgufArray(GgufValueType elementType, Object values) {

    public GgufArray {
        Objects.requireNonNull(elementType, "elementType");
        Objects.requireNonNull(values, "values");
        Class<?> expected = javaArrayClass(elementType);
        if (values.getClass() != expected) {
            throw new IllegalArgumentException("a " + elementType + " array holds " + expected.getSimpleName()
                    + ", not " + values.getClass().getSimpleName());
        }
    }

    public static GgufArray ofStrings(String... values) {
        return new GgufArray(GgufValueType.STRING, values);
    }

    public static GgufArray ofFloat32(float... values) {
        return new GgufArray(GgufValueType.FLOAT32, values);
    }

    public static GgufArray ofInt32(int... values) {
        return new GgufArray(GgufValueType.INT32, values);
    }

    /** Number of elements. */
    public int length() {
        return Array.getLength(values);
    }

    /** The Java array class that holds elements of {@code type}. */
    static Class<?> javaArrayClass(GgufValueType type) {
        return switch (type) {
            case UINT8, INT8, UINT16, INT16, INT32 -> int[].class;
            case UINT32, INT64, UINT64 -> long[].class;
            case FLOAT32 -> float[].class;
            case FLOAT64 -> double[].class;
            case BOOL -> boolean[].class;
            case STRING -> String[].class;
            case ARRAY -> GgufArray[].class;
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GgufArray(GgufValueType type, Object other)
                && type == elementType && Objects.deepEquals(values, other);
    }

    @Override
    public int hashCode() {
        return 31 * elementType.hashCode() + Arrays.deepHashCode(new Object[] {values});
    }

    @Override
    public String toString() {
        return "GgufArray[" + elementType + " x " + length() + "]";
    }
}
