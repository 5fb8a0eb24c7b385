package io.starling.gguf;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads the tensor-info section and places each tensor in the data section, rejecting any shape, type or extent that
 * would let a later read leave its tensor or the file.
 */
final class TensorTableReader {

    /** ggml's GGML_MAX_DIMS. */
    static final int MAX_DIMS = 4;
    /** ggml itself caps names at 63 bytes; this only keeps a corrupt length from reading kilobytes as a name. */
    static final int MAX_NAME_BYTES = 0xFFFF;
    /** A tensor info needs at least a name length (8), a dim count (4), one dim (8), a type (4) and an offset (8). */
    static final int MIN_INFO_BYTES = 32;

    private record Info(String name, GgmlType type, long[] shape, long relativeOffset, long byteSize) {
    }

    private TensorTableReader() {
    }

    /**
     * Reads {@code count} tensor infos, then lays them out after the header: the data section starts at the end of the
     * infos rounded up to {@code alignment}.
     *
     * @return the tensors in file order and the data offset
     */
    static Layout read(GgufCursor in, long count, int alignment) {
        List<Info> infos = new ArrayList<>((int) Math.min(count, 1024));
        Set<String> names = new HashSet<>();
        for (long i = 0; i < count; i++) {
            long at = in.position();
            Info info = info(in, alignment);
            if (!names.add(info.name)) {
                throw new GgufFormatException("duplicate tensor name '" + info.name + "' at offset " + at);
            }
            infos.add(info);
        }
        long headerEnd = in.position();
        long dataOffset = alignUp(headerEnd, alignment);
        if (dataOffset > in.size()) {
            if (!infos.isEmpty()) {
                throw new GgufFormatException("truncated data section: it starts at offset " + dataOffset
                        + " but the file ends at " + in.size());
            }
            // a file with no tensors needs no data section, and writers need not pad the header for one
            dataOffset = in.size();
        }
        return new Layout(place(in.segment(), infos, dataOffset), dataOffset);
    }

    record Layout(List<GgufTensor> tensors, long dataOffset) {
    }

    private static Info info(GgufCursor in, int alignment) {
        long at = in.position();
        String name = in.string(MAX_NAME_BYTES, "tensor name");
        String what = "tensor '" + name + "'";
        int dims = in.i32("dimension count of " + what);
        if (dims < 1 || dims > MAX_DIMS) {
            throw new GgufFormatException(what + " at offset " + at + " has " + Integer.toUnsignedString(dims)
                    + " dimensions, ggml allows 1 to " + MAX_DIMS);
        }
        long[] shape = new long[dims];
        long elements = 1;
        for (int d = 0; d < dims; d++) {
            shape[d] = in.i64("dimensions of " + what);
            if (shape[d] < 0) {
                throw new GgufFormatException(what + " at offset " + at + " has negative dimension "
                        + Long.toUnsignedString(shape[d]) + " (ne" + d + ")");
            }
        }
        try {
            for (long ne : shape) {
                elements = Math.multiplyExact(elements, ne);
            }
        } catch (ArithmeticException e) {
            throw new GgufFormatException(what + " at offset " + at + ": shape " + Arrays.toString(shape)
                    + " has more elements than a long can count");
        }
        int typeId = in.i32("type of " + what);
        GgmlType type = GgmlType.byId(typeId);
        if (type == null) {
            throw new GgufFormatException(what + " at offset " + at + " has unknown ggml type id "
                    + Integer.toUnsignedString(typeId));
        }
        if (shape[0] % type.blockSize() != 0) {
            throw new GgufFormatException(what + ": row length " + shape[0] + " is not a multiple of the " + type
                    + " block size " + type.blockSize());
        }
        long byteSize;
        try {
            byteSize = type.byteSize(elements);
        } catch (ArithmeticException e) {
            throw new GgufFormatException(what + ": " + elements + " " + type + " elements take more bytes than a long"
                    + " can count");
        }
        long offset = in.i64("data offset of " + what);
        if (offset < 0) {
            throw new GgufFormatException(what + " has data offset " + Long.toUnsignedString(offset)
                    + ", beyond any file");
        }
        if (offset % alignment != 0) {
            throw new GgufFormatException(what + " has data offset " + offset + ", not a multiple of the alignment "
                    + alignment);
        }
        return new Info(name, type, shape, offset, byteSize);
    }

    private static List<GgufTensor> place(MemorySegment file, List<Info> infos, long dataOffset) {
        long dataBytes = file.byteSize() - dataOffset;
        List<GgufTensor> tensors = new ArrayList<>(infos.size());
        for (Info info : infos) {
            // both operands are non-negative, so these comparisons cannot overflow
            if (info.relativeOffset > dataBytes || info.byteSize > dataBytes - info.relativeOffset) {
                throw new GgufFormatException("tensor '" + info.name + "' data [" + info.relativeOffset + ", +"
                        + info.byteSize + ") relative to the data section at " + dataOffset
                        + " runs past the end of the file (" + file.byteSize() + " bytes)");
            }
            long offset = dataOffset + info.relativeOffset;
            tensors.add(new GgufTensor(info.name, info.type, info.shape, offset, info.byteSize,
                    file.asSlice(offset, info.byteSize)));
        }
        checkOverlaps(tensors);
        return List.copyOf(tensors);
    }

    private static void checkOverlaps(List<GgufTensor> tensors) {
        // empty tensors occupy no bytes, so they cannot overlap anything
        List<GgufTensor> byOffset = new ArrayList<>(tensors.stream().filter(t -> t.byteSize() > 0).toList());
        byOffset.sort(Comparator.comparingLong(GgufTensor::offset));
        for (int i = 1; i < byOffset.size(); i++) {
            GgufTensor prev = byOffset.get(i - 1);
            GgufTensor next = byOffset.get(i);
            if (prev.offset() + prev.byteSize() > next.offset()) {
                throw new GgufFormatException("tensors '" + prev.name() + "' [" + prev.offset() + ", "
                        + (prev.offset() + prev.byteSize()) + ") and '" + next.name() + "' [" + next.offset() + ", "
                        + (next.offset() + next.byteSize()) + ") overlap");
            }
        }
    }

    /** {@code value} rounded up to a multiple of {@code alignment}, a power of two. */
    static long alignUp(long value, long alignment) {
        return Math.addExact(value, alignment - 1) & -alignment;
    }
}
