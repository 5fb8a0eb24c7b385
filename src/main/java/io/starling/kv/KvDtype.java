package io.starling.kv;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * How the arena stores one key or value element. F16 is llama.cpp's default cache type and what the golden
 * conformance tests expect (every value the model writes is rounded to half precision, exactly as
 * {@link io.starling.model.ContiguousKvStore} does); F32 keeps the model's floats unrounded at twice the memory.
 */
public enum KvDtype {
    F16(2) {
        @Override
        void write(MemorySegment segment, long offset, float[] src, int srcOffset, int count) {
            for (int i = 0; i < count; i++) {
                segment.set(ValueLayout.JAVA_SHORT, offset + 2L * i, Float.floatToFloat16(src[srcOffset + i]));
            }
        }

        @Override
        void read(MemorySegment segment, long offset, float[] dst, int dstOffset, int count) {
            for (int i = 0; i < count; i++) {
                dst[dstOffset + i] = Float.float16ToFloat(segment.get(ValueLayout.JAVA_SHORT, offset + 2L * i));
            }
        }
    },
    F32(4) {
        @Override
        void write(MemorySegment segment, long offset, float[] src, int srcOffset, int count) {
            MemorySegment.copy(src, srcOffset, segment, ValueLayout.JAVA_FLOAT, offset, count);
        }

        @Override
        void read(MemorySegment segment, long offset, float[] dst, int dstOffset, int count) {
            MemorySegment.copy(segment, ValueLayout.JAVA_FLOAT, offset, dst, dstOffset, count);
        }
    };

    private final int bytes;

    KvDtype(int bytes) {
        this.bytes = bytes;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    /** Stores {@code src[srcOffset .. + count)} as consecutive elements from byte {@code offset}. */
    abstract void write(MemorySegment segment, long offset, float[] src, int srcOffset, int count);

    /** Loads {@code count} consecutive elements from byte {@code offset} into {@code dst[dstOffset ..]}. */
    abstract void read(MemorySegment segment, long offset, float[] dst, int dstOffset, int count);
}
