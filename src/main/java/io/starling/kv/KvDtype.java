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
        void write(MemorySegment segment, long offset, float value) {
            segment.set(ValueLayout.JAVA_SHORT, offset, Float.floatToFloat16(value));
        }

        @Override
        float read(MemorySegment segment, long offset) {
            return Float.float16ToFloat(segment.get(ValueLayout.JAVA_SHORT, offset));
        }
    },
    F32(4) {
        @Override
        void write(MemorySegment segment, long offset, float value) {
            segment.set(ValueLayout.JAVA_FLOAT, offset, value);
        }

        @Override
        float read(MemorySegment segment, long offset) {
            return segment.get(ValueLayout.JAVA_FLOAT, offset);
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

    abstract void write(MemorySegment segment, long offset, float value);

    abstract float read(MemorySegment segment, long offset);
}
