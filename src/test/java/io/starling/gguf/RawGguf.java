package io.starling.gguf;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Builds GGUF bytes field by field with no validation at all, for hand-made hostile files. */
final class RawGguf {

    private ByteBuffer out = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);

    /** Magic, version and the two counts. */
    static RawGguf header(int version, long tensorCount, long kvCount) {
        return new RawGguf().u32(0x46554747).u32(version).u64(tensorCount).u64(kvCount);
    }

    RawGguf u8(int v) {
        room(1).put((byte) v);
        return this;
    }

    RawGguf u16(int v) {
        room(2).putShort((short) v);
        return this;
    }

    RawGguf u32(long v) {
        room(4).putInt((int) v);
        return this;
    }

    RawGguf u64(long v) {
        room(8).putLong(v);
        return this;
    }

    RawGguf f32(float v) {
        room(4).putFloat(v);
        return this;
    }

    RawGguf f64(double v) {
        room(8).putDouble(v);
        return this;
    }

    RawGguf str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        u64(b.length);
        room(b.length).put(b);
        return this;
    }

    RawGguf bytes(int count) {
        room(count).put(new byte[count]);
        return this;
    }

    /** A key and its value type id; the value follows with the other methods. */
    RawGguf key(String key, GgufValueType type) {
        return str(key).u32(type.id());
    }

    /** A tensor info: name, dims, type id and relative offset. */
    RawGguf tensorInfo(String name, long[] shape, int typeId, long offset) {
        str(name).u32(shape.length);
        for (long ne : shape) {
            u64(ne);
        }
        return u32(typeId).u64(offset);
    }

    /** Zero bytes up to the next multiple of {@code alignment}. */
    RawGguf pad(int alignment) {
        int n = (alignment - out.position() % alignment) % alignment;
        return bytes(n);
    }

    int size() {
        return out.position();
    }

    byte[] toBytes() {
        return Arrays.copyOf(out.array(), out.position());
    }

    MemorySegment toSegment() {
        return MemorySegment.ofArray(toBytes());
    }

    private ByteBuffer room(int n) {
        if (out.remaining() < n) {
            out = ByteBuffer.allocate(Math.max(out.capacity() * 2, out.position() + n)).order(ByteOrder.LITTLE_ENDIAN)
                    .put(out.flip());
        }
        return out;
    }
}
