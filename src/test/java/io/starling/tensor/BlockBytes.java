package io.starling.tensor;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Builds blocks byte by byte for hand-made test vectors; little-endian like GGUF. */
final class BlockBytes {
    private final ByteBuffer buffer;

    BlockBytes(int size) {
        buffer = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    BlockBytes half(int offset, float value) {
        buffer.putShort(offset, Float.floatToFloat16(value));
        return this;
    }

    BlockBytes halfBits(int offset, int bits) {
        buffer.putShort(offset, (short) bits);
        return this;
    }

    BlockBytes u8(int offset, int value) {
        buffer.put(offset, (byte) value);
        return this;
    }

    BlockBytes fill(int offset, int length, int value) {
        for (int i = 0; i < length; i++) {
            u8(offset + i, value);
        }
        return this;
    }

    BlockBytes u32(int offset, int value) {
        buffer.putInt(offset, value);
        return this;
    }

    BlockBytes f32(int offset, float value) {
        buffer.putFloat(offset, value);
        return this;
    }

    byte[] bytes() {
        return buffer.array();
    }

    MemorySegment segment() {
        return MemorySegment.ofArray(bytes());
    }
}
