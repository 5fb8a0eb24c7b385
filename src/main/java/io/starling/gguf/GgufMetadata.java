package io.starling.gguf;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The key-value metadata of a GGUF file, in file order, each value with the GGUF type it was stored as.
 *
 * <p>Scalars are Integer (UINT8, INT8, UINT16, INT16, INT32), Long (UINT32, INT64, UINT64), Float, Double, Boolean
 * or String; arrays are {@link GgufArray}. The typed getters accept every stored type that converts without loss
 * (an architecture's head count may be written as UINT32 by one tool and INT32 by another) and throw
 * {@link GgufFormatException} naming the key and the type found otherwise. The getters with a default return it only
 * when the key is absent: a value of the wrong type is a broken file, not a missing setting.
 */
public final class GgufMetadata {

    private final Map<String, Object> values;
    private final Map<String, GgufValueType> types;

    /** Takes ownership of both maps; the parser and the builder have already checked every value. */
    GgufMetadata(LinkedHashMap<String, Object> values, Map<String, GgufValueType> types) {
        this.values = Collections.unmodifiableMap(values);
        this.types = types;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Set<String> keys() {
        return values.keySet();
    }

    public int size() {
        return values.size();
    }

    public boolean contains(String key) {
        return values.containsKey(key);
    }

    /** The raw value, or null when absent. */
    public Object get(String key) {
        return values.get(key);
    }

    /** The stored type, or null when absent. */
    public GgufValueType typeOf(String key) {
        return types.get(key);
    }

    /** All values in file order; unmodifiable. */
    public Map<String, Object> asMap() {
        return values;
    }

    public String getString(String key) {
        if (require(key) instanceof String s) {
            return s;
        }
        throw wrongType(key, "STRING");
    }

    /** The string value, empty when absent; a value of another type throws. */
    public Optional<String> findString(String key) {
        return contains(key) ? Optional.of(getString(key)) : Optional.empty();
    }

    /** Any integer type; a UINT64 above {@code Long.MAX_VALUE} throws. */
    public long getLong(String key) {
        return switch (require(key)) {
            case Integer i -> i;
            case Long l when l < 0 && types.get(key) == GgufValueType.UINT64 ->
                    throw new GgufFormatException("metadata key '" + key + "' = " + Long.toUnsignedString(l)
                            + " does not fit a signed 64-bit integer");
            case Long l -> l;
            default -> throw wrongType(key, "an integer");
        };
    }

    /** Any integer type whose value fits an int. */
    public int getInt(String key) {
        long value = getLong(key);
        if (value != (int) value) {
            throw new GgufFormatException("metadata key '" + key + "' = " + value + " does not fit an int");
        }
        return (int) value;
    }

    public int getInt(String key, int defaultValue) {
        return contains(key) ? getInt(key) : defaultValue;
    }

    /** FLOAT32, FLOAT64 (narrowed) or any integer type. */
    public float getFloat(String key) {
        return switch (require(key)) {
            case Float f -> f;
            case Double d -> d.floatValue();
            case Integer i -> i;
            case Long _ -> getLong(key);
            default -> throw wrongType(key, "a number");
        };
    }

    public float getFloat(String key, float defaultValue) {
        return contains(key) ? getFloat(key) : defaultValue;
    }

    public boolean getBoolean(String key, boolean defaultValue) {
        return switch (values.get(key)) {
            case null -> defaultValue;
            case Boolean b -> b;
            default -> throw wrongType(key, "BOOL");
        };
    }

    public GgufArray getArray(String key) {
        if (require(key) instanceof GgufArray array) {
            return array;
        }
        throw wrongType(key, "ARRAY");
    }

    /** A copy of a STRING array. */
    public String[] getStringArray(String key) {
        GgufArray array = getArray(key);
        if (array.values() instanceof String[] strings) {
            return strings.clone();
        }
        throw wrongArrayType(key, array, "STRING");
    }

    /** A copy of a FLOAT32 array, or a FLOAT64 array narrowed to float. */
    public float[] getFloatArray(String key) {
        GgufArray array = getArray(key);
        return switch (array.values()) {
            case float[] floats -> floats.clone();
            case double[] doubles -> {
                float[] out = new float[doubles.length];
                for (int i = 0; i < out.length; i++) {
                    out[i] = (float) doubles[i];
                }
                yield out;
            }
            default -> throw wrongArrayType(key, array, "FLOAT32");
        };
    }

    /** A copy of an array of any integer type whose every element fits an int. */
    public int[] getIntArray(String key) {
        GgufArray array = getArray(key);
        return switch (array.values()) {
            case int[] ints -> ints.clone();
            case long[] longs -> {
                int[] out = new int[longs.length];
                for (int i = 0; i < out.length; i++) {
                    if (longs[i] != (int) longs[i]) {
                        String shown = array.elementType() == GgufValueType.UINT64
                                ? Long.toUnsignedString(longs[i]) : Long.toString(longs[i]);
                        throw new GgufFormatException("metadata key '" + key + "' element " + i + " = " + shown
                                + " does not fit an int");
                    }
                    out[i] = (int) longs[i];
                }
                yield out;
            }
            default -> throw wrongArrayType(key, array, "an integer type");
        };
    }

    private Object require(String key) {
        Object value = values.get(key);
        if (value == null) {
            throw new GgufFormatException("missing metadata key '" + key + "'");
        }
        return value;
    }

    private GgufFormatException wrongType(String key, String expected) {
        return new GgufFormatException("metadata key '" + key + "' is " + types.get(key) + ", expected " + expected);
    }

    private static GgufFormatException wrongArrayType(String key, GgufArray array, String expected) {
        return new GgufFormatException("metadata key '" + key + "' is an ARRAY of " + array.elementType()
                + ", expected an ARRAY of " + expected);
    }

    @Override
    public String toString() {
        return "GgufMetadata" + keys();
    }

    /**
     * Collects metadata in insertion order; putting an existing key replaces its value and keeps its position. Every
     * value is checked against its type here (Java class and range), so the writer can encode it without surprises.
     */
    public static final class Builder {

        private final LinkedHashMap<String, Object> values = new LinkedHashMap<>();
        private final Map<String, GgufValueType> types = new HashMap<>();

        private Builder() {
        }

        /**
         * @throws IllegalArgumentException if the value's Java class does not match {@code type} or is out of its range
         */
        public Builder put(String key, GgufValueType type, Object value) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(value, () -> "value of " + key);
            checkValue(key, type, value);
            values.put(key, value);
            types.put(key, type);
            return this;
        }

        public Builder putAll(GgufMetadata other) {
            for (Map.Entry<String, Object> e : other.values.entrySet()) {
                values.put(e.getKey(), e.getValue());
                types.put(e.getKey(), other.types.get(e.getKey()));
            }
            return this;
        }

        public GgufMetadata build() {
            return new GgufMetadata(new LinkedHashMap<>(values), new HashMap<>(types));
        }

        private static void checkValue(String key, GgufValueType type, Object value) {
            boolean ok = switch (type) {
                case UINT8 -> value instanceof Integer i && i >= 0 && i <= 0xFF;
                case INT8 -> value instanceof Integer i && i == (byte) (int) i;
                case UINT16 -> value instanceof Integer i && i >= 0 && i <= 0xFFFF;
                case INT16 -> value instanceof Integer i && i == (short) (int) i;
                case INT32 -> value instanceof Integer;
                case UINT32 -> value instanceof Long l && l >= 0 && l <= 0xFFFF_FFFFL;
                case INT64, UINT64 -> value instanceof Long;
                case FLOAT32 -> value instanceof Float;
                case FLOAT64 -> value instanceof Double;
                case BOOL -> value instanceof Boolean;
                case STRING -> value instanceof String;
                case ARRAY -> value instanceof GgufArray a && checkElements(key, a);
            };
            if (!ok) {
                throw new IllegalArgumentException("metadata key '" + key + "': " + value.getClass().getSimpleName()
                        + " " + value + " is not a valid " + type);
            }
        }

        private static boolean checkElements(String key, GgufArray array) {
            switch (array.values()) {
                case int[] ints -> {
                    for (int v : ints) {
                        checkValue(key, array.elementType(), v);
                    }
                }
                case long[] longs when array.elementType() == GgufValueType.UINT32 -> {
                    for (long v : longs) {
                        checkValue(key, array.elementType(), v);
                    }
                }
                case String[] strings -> {
                    for (String s : strings) {
                        Objects.requireNonNull(s, () -> "null string in array " + key);
                    }
                }
                case GgufArray[] nested -> {
                    for (GgufArray a : nested) {
                        checkElements(key, Objects.requireNonNull(a, () -> "null nested array in " + key));
                    }
                }
                default -> {
                    // long[] of INT64/UINT64, float[], double[] and boolean[] hold only valid values
                }
            }
            return true;
        }
    }
}
