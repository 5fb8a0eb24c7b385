package io.starling.tensor;

import java.lang.foreign.MemorySegment;

/**
 * The 12-byte field in which Q4_K and Q5_K pack eight 6-bit scales and eight 6-bit mins, one pair per
 * 32-element sub-block. Bytes 0..3 hold scales 0..3 and bytes 4..7 mins 0..3 in their low six bits; bytes
 * 8..11 hold the low nibbles of scales 4..7 (low half) and mins 4..7 (high half), whose top two bits sit in
 * the spare top bits of bytes 0..3 (scales) and 4..7 (mins).
 */
final class KScales {
    private KScales() {
    }

    /** The 6-bit scale of sub-block {@code j} (0..7) of the field at {@code offset}. */
    static int scale(MemorySegment src, long offset, int j) {
        if (j < 4) {
            return LittleEndian.ubyte(src, offset + j) & 63;
        }
        return (LittleEndian.ubyte(src, offset + j + 4) & 0xF) | (LittleEndian.ubyte(src, offset + j - 4) >>> 6) << 4;
    }

    /** The 6-bit min of sub-block {@code j} (0..7) of the field at {@code offset}. */
    static int min(MemorySegment src, long offset, int j) {
        if (j < 4) {
            return LittleEndian.ubyte(src, offset + j + 4) & 63;
        }
        return (LittleEndian.ubyte(src, offset + j + 4) >>> 4) | (LittleEndian.ubyte(src, offset + j) >>> 6) << 4;
    }
}
