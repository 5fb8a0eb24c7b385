package io.starling.tensor;

import io.starling.gguf.GgmlType;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * The least GGUF v3 reading the conformance tests need: the tensor table and a mapped view of the data. It
 * skips metadata values except general.alignment. A stand-in until io.starling.gguf.GgufFile lands on main.
 */
final class TestGguf implements AutoCloseable {
    record Tensor(String name, GgmlType type, long[] dims, MemorySegment data) {
        long elements() {
            long n = 1;
            for (long d : dims) {
                n *= d;
            }
            return n;
        }
    }

    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(LITTLE_ENDIAN);
    private static final int[] SCALAR_SIZES = {1, 1, 2, 2, 4, 4, 4, 1, -1, -1, 8, 8, 8};
    private static final int STRING = 8;
    private static final int ARRAY = 9;

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment file;
    private final Map<String, Tensor> tensors = new LinkedHashMap<>();
    private long pos;

    TestGguf(Path path) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            file = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
        }
        if (file.get(U32, 0) != 0x46554747) {
            throw new IOException(path + " is not a GGUF file");
        }
        pos = 8;
        long tensorCount = u64();
        long kvCount = u64();
        long alignment = 32;
        for (long i = 0; i < kvCount; i++) {
            String key = string();
            int type = u32();
            if (key.equals("general.alignment")) {
                alignment = Integer.toUnsignedLong(file.get(U32, pos));
            }
            skipValue(type);
        }
        String[] names = new String[(int) tensorCount];
        GgmlType[] types = new GgmlType[names.length];
        long[][] dims = new long[names.length][];
        long[] offsets = new long[names.length];
        for (int i = 0; i < names.length; i++) {
            names[i] = string();
            dims[i] = new long[u32()];
            for (int d = 0; d < dims[i].length; d++) {
                dims[i][d] = u64();
            }
            types[i] = GgmlType.byId(u32());
            offsets[i] = u64();
        }
        long dataStart = (pos + alignment - 1) / alignment * alignment;
        for (int i = 0; i < names.length; i++) {
            long elements = 1;
            for (long d : dims[i]) {
                elements *= d;
            }
            MemorySegment data = file.asSlice(dataStart + offsets[i], types[i].byteSize(elements));
            tensors.put(names[i], new Tensor(names[i], types[i], dims[i], data));
        }
    }

    Map<String, Tensor> tensors() {
        return tensors;
    }

    Tensor tensor(String name) {
        return tensors.get(name);
    }

    private void skipValue(int type) {
        if (type == STRING) {
            pos += 8 + u64At(pos);
        } else if (type == ARRAY) {
            int elementType = u32();
            long n = u64();
            for (long i = 0; i < n; i++) {
                skipValue(elementType);
            }
        } else {
            pos += SCALAR_SIZES[type];
        }
    }

    private String string() {
        long length = u64();
        byte[] bytes = file.asSlice(pos, length).toArray(ValueLayout.JAVA_BYTE);
        pos += length;
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private int u32() {
        int v = file.get(U32, pos);
        pos += 4;
        return v;
    }

    private long u64() {
        long v = u64At(pos);
        pos += 8;
        return v;
    }

    private long u64At(long at) {
        return file.get(U64, at);
    }

    @Override
    public void close() {
        arena.close();
    }
}
