package io.starling.gguf;

/** The type tags of GGUF metadata values, with the ids the file stores. */
public enum GgufValueType {
    UINT8(0, 1),
    INT8(1, 1),
    UINT16(2, 2),
    INT16(3, 2),
    UINT32(4, 4),
    INT32(5, 4),
    FLOAT32(6, 4),
    BOOL(7, 1),
    STRING(8, -1),
    ARRAY(9, -1),
    UINT64(10, 8),
    INT64(11, 8),
    FLOAT64(12, 8);

    private static final GgufValueType[] BY_ID = values();

    private final int id;
    private final int fixedSize;

    GgufValueType(int id, int fixedSize) {
        this.id = id;
        this.fixedSize = fixedSize;
    }

    /** The id GGUF stores for this type. */
    public int id() {
        return id;
    }

    /** True for the eight integer types (not BOOL). */
    public boolean isInteger() {
        return switch (this) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> true;
            default -> false;
        };
    }

    /** Bytes one value occupies in the file, or -1 for STRING and ARRAY whose size depends on their content. */
    int fixedSize() {
        return fixedSize;
    }

    /**
     * The fewest bytes one value of this type can occupy: a string is at least its 8-byte length, an array at least
     * its 4-byte element type and 8-byte count. Used to reject counts the remaining bytes cannot possibly hold.
     */
    int minSize() {
        return switch (this) {
            case STRING -> 8;
            case ARRAY -> 12;
            default -> fixedSize;
        };
    }

    /** The type with this id, or null when the id is unknown. */
    public static GgufValueType byId(int id) {
        // ids are the ordinals: the table above lists them in id order
        return id >= 0 && id < BY_ID.length ? BY_ID[id] : null;
    }
}
