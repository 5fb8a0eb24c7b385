package io.starling.gguf;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.ValueLayout;
import java.lang.reflect.Array;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads the key-value section of a GGUF file, checking every count and length against the bytes left first. */
final class MetadataReader {

    /** The GGUF spec caps keys at 65535 bytes. */
    static final int MAX_KEY_BYTES = 0xFFFF;
    /** Far above any real value (chat templates are kilobytes) and well below what a Java String can hold. */
    static final int MAX_STRING_BYTES = 64 << 20;
    /** Far above any real vocab or merge list; keeps a corrupt count in a multi-GB mapping from asking for a huge heap array. */
    static final int MAX_ARRAY_LENGTH = 64 << 20;
    /** Real files never nest arrays at all; the cap keeps hostile nesting from exhausting the stack. */
    static final int MAX_NESTING = 8;
    /** A key-value pair needs at least a key length (8), a value type (4) and a one-byte value. */
    static final int MIN_KV_BYTES = 13;

    private final GgufCursor in;

    private MetadataReader(GgufCursor in) {
        this.in = in;
    }

    static GgufMetadata read(GgufCursor in, long count) {
        return new MetadataReader(in).readAll(count);
    }

    private GgufMetadata readAll(long count) {
        LinkedHashMap<String, Object> values = new LinkedHashMap<>();
        Map<String, GgufValueType> types = new HashMap<>();
        for (long i = 0; i < count; i++) {
            long at = in.position();
            String key = in.string(MAX_KEY_BYTES, "metadata key");
            if (values.containsKey(key)) {
                throw new GgufFormatException("duplicate metadata key '" + key + "' at offset " + at);
            }
            String what = "metadata key '" + key + "'";
            GgufValueType type = valueType(what);
            values.put(key, value(type, what, 0));
            types.put(key, type);
        }
        return new GgufMetadata(values, types);
    }

    private GgufValueType valueType(String what) {
        long at = in.position();
        int id = in.i32("value type of " + what);
        GgufValueType type = GgufValueType.byId(id);
        if (type == null) {
            throw new GgufFormatException("unknown value type " + Integer.toUnsignedString(id) + " for " + what
                    + " at offset " + at);
        }
        return type;
    }

    private Object value(GgufValueType type, String what, int depth) {
        return switch (type) {
            case UINT8 -> in.u8(what);
            case INT8 -> in.i8(what);
            case UINT16 -> in.u16(what);
            case INT16 -> in.i16(what);
            case INT32 -> in.i32(what);
            case UINT32 -> in.u32(what);
            case INT64, UINT64 -> in.i64(what);
            case FLOAT32 -> in.f32(what);
            case FLOAT64 -> in.f64(what);
            // GGUF writes 0 or 1; like llama.cpp, any other byte reads as true rather than failing the file
            case BOOL -> in.u8(what) != 0;
            case STRING -> in.string(MAX_STRING_BYTES, what);
            case ARRAY -> array(what, depth);
        };
    }

    private GgufArray array(String what, int depth) {
        GgufValueType elementType = valueType("array element of " + what);
        if (elementType == GgufValueType.ARRAY && depth + 1 >= MAX_NESTING) {
            throw new GgufFormatException(what + " at offset " + in.position() + " nests arrays deeper than "
                    + MAX_NESTING + " levels");
        }
        long at = in.position();
        long count = in.i64("array length of " + what);
        if (count < 0 || count > MAX_ARRAY_LENGTH) {
            throw new GgufFormatException("array length " + Long.toUnsignedString(count) + " of " + what + " at offset "
                    + at + " exceeds the limit of " + MAX_ARRAY_LENGTH + " elements");
        }
        if (count > in.remaining() / elementType.minSize()) {
            throw new GgufFormatException("array length " + count + " of " + what + " at offset " + at + ": that many "
                    + elementType + " elements need more than the " + in.remaining() + " bytes left");
        }
        int n = (int) count;
        String elements = "elements of " + what;
        Object values = switch (elementType) {
            case UINT8, INT8 -> bytes(n, elementType == GgufValueType.UINT8, elements);
            case UINT16, INT16 -> shorts(n, elementType == GgufValueType.UINT16, elements);
            case INT32 -> bulk(new int[n], GgufCursor.I32, elements);
            case UINT32 -> uints(n, elements);
            case INT64, UINT64 -> bulk(new long[n], GgufCursor.I64, elements);
            case FLOAT32 -> bulk(new float[n], GgufCursor.F32, elements);
            case FLOAT64 -> bulk(new double[n], GgufCursor.F64, elements);
            case BOOL -> bools(n, elements);
            case STRING -> strings(n, elements);
            case ARRAY -> nested(n, what, depth);
        };
        return new GgufArray(elementType, values);
    }

    private <A> A bulk(A array, ValueLayout layout, String what) {
        in.bulk(layout, array, Array.getLength(array), what);
        return array;
    }

    private int[] bytes(int n, boolean unsigned, String what) {
        in.require(n, what);
        int[] out = new int[n];
        long p = in.position();
        for (int i = 0; i < n; i++) {
            byte b = in.segment().get(JAVA_BYTE, p + i);
            out[i] = unsigned ? b & 0xFF : b;
        }
        in.skip(n);
        return out;
    }

    private int[] shorts(int n, boolean unsigned, String what) {
        in.require(2L * n, what);
        int[] out = new int[n];
        long p = in.position();
        for (int i = 0; i < n; i++) {
            short s = in.segment().get(GgufCursor.I16, p + 2L * i);
            out[i] = unsigned ? s & 0xFFFF : s;
        }
        in.skip(2L * n);
        return out;
    }

    private long[] uints(int n, String what) {
        int[] raw = bulk(new int[n], GgufCursor.I32, what);
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = raw[i] & 0xFFFF_FFFFL;
        }
        return out;
    }

    private boolean[] bools(int n, String what) {
        in.require(n, what);
        boolean[] out = new boolean[n];
        long p = in.position();
        for (int i = 0; i < n; i++) {
            out[i] = in.segment().get(JAVA_BYTE, p + i) != 0;
        }
        in.skip(n);
        return out;
    }

    private String[] strings(int n, String what) {
        String[] out = new String[n];
        for (int i = 0; i < n; i++) {
            out[i] = in.string(MAX_STRING_BYTES, what);
        }
        return out;
    }

    private GgufArray[] nested(int n, String what, int depth) {
        GgufArray[] out = new GgufArray[n];
        for (int i = 0; i < n; i++) {
            out[i] = array(what, depth + 1);
        }
        return out;
    }
}
