package io.starling.gguf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** Serialises the GGUF header, metadata and tensor infos (everything before the data section) to bytes. */
final class HeaderEncoder {

    /** What the tensor-info section says about one tensor; the offset is relative to the data section. */
    record TensorInfo(String name, GgmlType type, long[] shape, long relativeOffset) {
    }

    private ByteBuffer out = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);

    private HeaderEncoder() {
    }

    static byte[] encode(int version, GgufMetadata metadata, List<TensorInfo> tensors) {
        HeaderEncoder e = new HeaderEncoder();
        e.i32(GgufParser.MAGIC);
        e.i32(version);
        e.i64(tensors.size());
        e.i64(metadata.size());
        for (Map.Entry<String, Object> kv : metadata.asMap().entrySet()) {
            GgufValueType type = metadata.typeOf(kv.getKey());
            e.string(kv.getKey());
            e.i32(type.id());
            e.value(type, kv.getValue());
        }
        for (TensorInfo t : tensors) {
            e.string(t.name());
            e.i32(t.shape().length);
            for (long ne : t.shape()) {
                e.i64(ne);
            }
            e.i32(t.type().id());
            e.i64(t.relativeOffset());
        }
        byte[] bytes = new byte[e.out.position()];
        e.out.flip().get(bytes);
        return bytes;
    }

    /** Values were checked against their types by {@link GgufMetadata.Builder}, so the casts hold. */
    private void value(GgufValueType type, Object v) {
        switch (type) {
            case UINT8, INT8 -> i8((Integer) v);
            case UINT16, INT16 -> i16((Integer) v);
            case INT32 -> i32((Integer) v);
            case UINT32 -> i32((int) (long) (Long) v);
            case INT64, UINT64 -> i64((Long) v);
            case FLOAT32 -> f32((Float) v);
            case FLOAT64 -> f64((Double) v);
            case BOOL -> i8((Boolean) v ? 1 : 0);
            case STRING -> string((String) v);
            case ARRAY -> array((GgufArray) v);
        }
    }

    private void array(GgufArray a) {
        i32(a.elementType().id());
        i64(a.length());
        switch (a.values()) {
            case int[] ints -> {
                for (int v : ints) {
                    switch (a.elementType()) {
                        case UINT8, INT8 -> i8(v);
                        case UINT16, INT16 -> i16(v);
                        default -> i32(v);
                    }
                }
            }
            case long[] longs -> {
                for (long v : longs) {
                    if (a.elementType() == GgufValueType.UINT32) {
                        i32((int) v);
                    } else {
                        i64(v);
                    }
                }
            }
            case float[] floats -> {
                for (float v : floats) {
                    f32(v);
                }
            }
            case double[] doubles -> {
                for (double v : doubles) {
                    f64(v);
                }
            }
            case boolean[] bools -> {
                for (boolean v : bools) {
                    i8(v ? 1 : 0);
                }
            }
            case String[] strings -> {
                for (String s : strings) {
                    string(s);
                }
            }
            case GgufArray[] nested -> {
                for (GgufArray n : nested) {
                    array(n);
                }
            }
            default -> throw new IllegalStateException("GgufArray holds " + a.values().getClass());
        }
    }

    private void string(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        i64(bytes.length);
        room(bytes.length).put(bytes);
    }

    private void i8(int v) {
        room(1).put((byte) v);
    }

    private void i16(int v) {
        room(2).putShort((short) v);
    }

    private void i32(int v) {
        room(4).putInt(v);
    }

    private void i64(long v) {
        room(8).putLong(v);
    }

    private void f32(float v) {
        room(4).putFloat(v);
    }

    private void f64(double v) {
        room(8).putDouble(v);
    }

    private ByteBuffer room(int bytes) {
        if (out.remaining() < bytes) {
            int capacity = Math.max(Math.multiplyExact(out.capacity(), 2), Math.addExact(out.position(), bytes));
            out = ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN).put(out.flip());
        }
        return out;
    }
}
