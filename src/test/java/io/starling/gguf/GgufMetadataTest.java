package io.starling.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class GgufMetadataTest {

    private final GgufMetadata meta = GgufMetadata.builder()
            .put("name", GgufValueType.STRING, "tiny")
            .put("u8", GgufValueType.UINT8, 200)
            .put("u32.big", GgufValueType.UINT32, 4_000_000_000L)
            .put("u32", GgufValueType.UINT32, 512L)
            .put("i64", GgufValueType.INT64, -5L)
            .put("u64.huge", GgufValueType.UINT64, -1L)
            .put("eps", GgufValueType.FLOAT32, 1e-5f)
            .put("theta", GgufValueType.FLOAT64, 500000.0)
            .put("flag", GgufValueType.BOOL, true)
            .put("tokens", GgufValueType.ARRAY, GgufArray.ofStrings("<s>", "a"))
            .put("scores", GgufValueType.ARRAY, GgufArray.ofFloat32(0.5f, -1f))
            .put("scores64", GgufValueType.ARRAY, new GgufArray(GgufValueType.FLOAT64, new double[] {0.25}))
            .put("types", GgufValueType.ARRAY, new GgufArray(GgufValueType.UINT8, new int[] {1, 255}))
            .put("ids64", GgufValueType.ARRAY, new GgufArray(GgufValueType.UINT32, new long[] {7, 8}))
            .put("ids.big", GgufValueType.ARRAY, new GgufArray(GgufValueType.INT64, new long[] {1L << 40}))
            .build();

    private static void assertFormatError(String fragment, Executable call) {
        GgufFormatException e = assertThrows(GgufFormatException.class, call);
        assertTrue(e.getMessage().contains(fragment), () -> "'" + e.getMessage() + "' should mention '" + fragment + "'");
    }

    @Test
    void keysAndRawValuesAreInInsertionOrder() {
        assertEquals(List.of("name", "u8", "u32.big", "u32", "i64"), meta.keys().stream().limit(5).toList());
        assertTrue(meta.contains("flag"));
        assertFalse(meta.contains("nope"));
        assertNull(meta.get("nope"));
        assertNull(meta.typeOf("nope"));
        assertEquals(GgufValueType.UINT32, meta.typeOf("u32"));
        assertEquals(512L, meta.get("u32"));
        assertThrows(UnsupportedOperationException.class, () -> meta.asMap().put("x", 1));
    }

    @Test
    void integerGettersAcceptEveryIntegerTypeThatFits() {
        assertEquals(200, meta.getInt("u8"));
        assertEquals(512, meta.getInt("u32"));
        assertEquals(4_000_000_000L, meta.getLong("u32.big"));
        assertEquals(-5, meta.getInt("i64"));
        assertEquals(9, meta.getInt("absent", 9));
        assertEquals(512, meta.getInt("u32", 9));
        assertFormatError("'u32.big' = 4000000000 does not fit an int", () -> meta.getInt("u32.big"));
        assertFormatError("18446744073709551615", () -> meta.getLong("u64.huge"));
        assertFormatError("'name' is STRING, expected an integer", () -> meta.getInt("name"));
        assertFormatError("'eps' is FLOAT32, expected an integer", () -> meta.getInt("eps", 3));
        assertFormatError("missing metadata key 'absent'", () -> meta.getLong("absent"));
    }

    @Test
    void floatGettersWidenIntegersAndNarrowDoubles() {
        assertEquals(1e-5f, meta.getFloat("eps"));
        assertEquals(500000f, meta.getFloat("theta"));
        assertEquals(512f, meta.getFloat("u32"));
        assertEquals(10000f, meta.getFloat("absent", 10000f));
        assertFormatError("'flag' is BOOL, expected a number", () -> meta.getFloat("flag"));
        assertFormatError("missing metadata key 'absent'", () -> meta.getFloat("absent"));
    }

    @Test
    void stringAndBooleanGetters() {
        assertEquals("tiny", meta.getString("name"));
        assertEquals(Optional.of("tiny"), meta.findString("name"));
        assertEquals(Optional.empty(), meta.findString("absent"));
        assertTrue(meta.getBoolean("flag", false));
        assertTrue(meta.getBoolean("absent", true));
        assertFormatError("'u8' is UINT8, expected STRING", () -> meta.getString("u8"));
        assertFormatError("'u8' is UINT8, expected STRING", () -> meta.findString("u8"));
        assertFormatError("'name' is STRING, expected BOOL", () -> meta.getBoolean("name", false));
        assertFormatError("missing metadata key 'absent'", () -> meta.getString("absent"));
    }

    @Test
    void arrayGettersConvertAndCopy() {
        String[] tokens = meta.getStringArray("tokens");
        assertArrayEquals(new String[] {"<s>", "a"}, tokens);
        tokens[0] = "changed";
        assertEquals("<s>", meta.getStringArray("tokens")[0], "callers get a copy");
        assertArrayEquals(new float[] {0.5f, -1f}, meta.getFloatArray("scores"));
        assertArrayEquals(new float[] {0.25f}, meta.getFloatArray("scores64"));
        assertArrayEquals(new int[] {1, 255}, meta.getIntArray("types"));
        assertArrayEquals(new int[] {7, 8}, meta.getIntArray("ids64"));
        assertEquals(2, meta.getArray("tokens").length());
        assertEquals(GgufValueType.STRING, meta.getArray("tokens").elementType());
        assertFormatError("'ids.big' element 0 = 1099511627776 does not fit an int", () -> meta.getIntArray("ids.big"));
        assertFormatError("'scores' is an ARRAY of FLOAT32, expected an ARRAY of STRING", () -> meta.getStringArray("scores"));
        assertFormatError("'tokens' is an ARRAY of STRING, expected an ARRAY of FLOAT32", () -> meta.getFloatArray("tokens"));
        assertFormatError("'tokens' is an ARRAY of STRING, expected an ARRAY of an integer type", () -> meta.getIntArray("tokens"));
        assertFormatError("'name' is STRING, expected ARRAY", () -> meta.getArray("name"));
        assertFormatError("missing metadata key 'absent'", () -> meta.getStringArray("absent"));
    }

    @Test
    void arraysCompareByContent() {
        assertEquals(GgufArray.ofStrings("a", "b"), GgufArray.ofStrings("a", "b"));
        assertEquals(GgufArray.ofStrings("a", "b").hashCode(), GgufArray.ofStrings("a", "b").hashCode());
        assertFalse(GgufArray.ofInt32(1).equals(new GgufArray(GgufValueType.UINT8, new int[] {1})));
        assertEquals(new GgufArray(GgufValueType.ARRAY, new GgufArray[] {GgufArray.ofFloat32(1f)}),
                new GgufArray(GgufValueType.ARRAY, new GgufArray[] {GgufArray.ofFloat32(1f)}));
    }

    @Test
    void valueTypeIdsMatchTheSpec() {
        for (GgufValueType t : GgufValueType.values()) {
            assertEquals(t, GgufValueType.byId(t.id()));
        }
        assertEquals(GgufValueType.UINT64, GgufValueType.byId(10));
        assertEquals(12, GgufValueType.FLOAT64.id());
        assertNull(GgufValueType.byId(13));
        assertNull(GgufValueType.byId(-1));
    }
}
