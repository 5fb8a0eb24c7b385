package io.starling.gguf;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Writes GGUF version 3 files: metadata in insertion order, then tensors whose data the caller has already encoded.
 *
 * <p>{@link #write} computes the whole layout first, creates the file at its final size, maps it and fills header and
 * data in place, so a tensor added with a filler is produced straight into the file: a multi-gigabyte synthetic model
 * never has to fit in the heap. Each tensor starts at a multiple of the alignment ({@code general.alignment} when the
 * caller sets it, else 32) and is zero-padded to the next one, as llama.cpp's writers do: rewriting a llama.cpp file's
 * metadata and tensors in order reproduces it byte for byte.
 *
 * <p>Invalid input (a value out of its type's range, a duplicate tensor, data of the wrong size) throws
 * IllegalArgumentException at the call that supplies it.
 */
public final class GgufWriter {

    /** GGML_MAX_NAME is 64 including the terminating NUL; llama.cpp rejects longer names. */
    static final int MAX_TENSOR_NAME_BYTES = 63;

    private record Pending(String name, GgmlType type, long[] shape, long byteSize, MemorySegment data,
                           Consumer<MemorySegment> filler) {
    }

    private final GgufMetadata.Builder metadata = GgufMetadata.builder();
    private final List<Pending> tensors = new ArrayList<>();
    private final Set<String> names = new HashSet<>();

    public GgufWriter putString(String key, String value) {
        return put(key, GgufValueType.STRING, value);
    }

    /** @param value 0 to 255 */
    public GgufWriter putUInt8(String key, int value) {
        return put(key, GgufValueType.UINT8, value);
    }

    /** @param value -128 to 127 */
    public GgufWriter putInt8(String key, int value) {
        return put(key, GgufValueType.INT8, value);
    }

    /** @param value 0 to 65535 */
    public GgufWriter putUInt16(String key, int value) {
        return put(key, GgufValueType.UINT16, value);
    }

    /** @param value -32768 to 32767 */
    public GgufWriter putInt16(String key, int value) {
        return put(key, GgufValueType.INT16, value);
    }

    /** @param value 0 to 2^32-1 */
    public GgufWriter putUInt32(String key, long value) {
        return put(key, GgufValueType.UINT32, value);
    }

    public GgufWriter putInt32(String key, int value) {
        return put(key, GgufValueType.INT32, value);
    }

    /** @param value the 64 bits of the unsigned value (values above 2^63 are negative longs) */
    public GgufWriter putUInt64(String key, long value) {
        return put(key, GgufValueType.UINT64, value);
    }

    public GgufWriter putInt64(String key, long value) {
        return put(key, GgufValueType.INT64, value);
    }

    public GgufWriter putFloat32(String key, float value) {
        return put(key, GgufValueType.FLOAT32, value);
    }

    public GgufWriter putFloat64(String key, double value) {
        return put(key, GgufValueType.FLOAT64, value);
    }

    public GgufWriter putBool(String key, boolean value) {
        return put(key, GgufValueType.BOOL, value);
    }

    public GgufWriter putArray(String key, GgufArray value) {
        return put(key, GgufValueType.ARRAY, value);
    }

    /** Any value with an explicit type, as {@link GgufMetadata.Builder#put} takes it. */
    public GgufWriter put(String key, GgufValueType type, Object value) {
        metadata.put(key, type, value);
        return this;
    }

    /** Copies every key of {@code other} with its type, e.g. a vocab from another file. */
    public GgufWriter putAll(GgufMetadata other) {
        metadata.putAll(other);
        return this;
    }

    /** The metadata as it would be written now (without {@code general.alignment} unless the caller set it). */
    public GgufMetadata metadata() {
        return metadata.build();
    }

    /**
     * Adds a tensor whose encoded bytes are already in memory; they are copied at {@link #write} time, so the
     * segment must stay alive until then.
     */
    public GgufWriter addTensor(String name, GgmlType type, long[] shape, MemorySegment encodedData) {
        Objects.requireNonNull(encodedData, "encodedData");
        long byteSize = checkTensor(name, type, shape);
        if (encodedData.byteSize() != byteSize) {
            throw new IllegalArgumentException("tensor '" + name + "': " + type + " " + Arrays.toString(shape)
                    + " takes " + byteSize + " bytes, the data has " + encodedData.byteSize());
        }
        return add(new Pending(name, type, shape.clone(), byteSize, encodedData, null));
    }

    /**
     * Adds a tensor whose bytes {@code filler} writes at {@link #write} time into the tensor's slice of the mapped
     * output file (exactly {@code type.byteSize(elements)} bytes, zero-initialised). The slice is only valid during the
     * call; the filler may hand it to other threads until it returns.
     */
    public GgufWriter addTensor(String name, GgmlType type, long[] shape, Consumer<MemorySegment> filler) {
        Objects.requireNonNull(filler, "filler");
        long byteSize = checkTensor(name, type, shape);
        return add(new Pending(name, type, shape.clone(), byteSize, null, filler));
    }

    private GgufWriter add(Pending tensor) {
        if (!names.add(tensor.name)) {
            throw new IllegalArgumentException("duplicate tensor '" + tensor.name + "'");
        }
        tensors.add(tensor);
        return this;
    }

    private static long checkTensor(String name, GgmlType type, long[] shape) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_TENSOR_NAME_BYTES) {
            throw new IllegalArgumentException("tensor name '" + name + "' is longer than " + MAX_TENSOR_NAME_BYTES
                    + " bytes");
        }
        if (shape.length < 1 || shape.length > TensorTableReader.MAX_DIMS) {
            throw new IllegalArgumentException("tensor '" + name + "' has " + shape.length + " dimensions, ggml allows"
                    + " 1 to " + TensorTableReader.MAX_DIMS);
        }
        for (long ne : shape) {
            if (ne < 0) {
                throw new IllegalArgumentException("tensor '" + name + "' has a negative dimension: "
                        + Arrays.toString(shape));
            }
        }
        if (shape[0] % type.blockSize() != 0) {
            throw new IllegalArgumentException("tensor '" + name + "': row length " + shape[0]
                    + " is not a multiple of the " + type + " block size " + type.blockSize());
        }
        try {
            return type.byteSize(Arrays.stream(shape).reduce(1, Math::multiplyExact));
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("tensor '" + name + "': " + type + " " + Arrays.toString(shape)
                    + " has more bytes than a long can count", e);
        }
    }

    /**
     * Writes the file, replacing any existing one only once it is complete. If a filler or the copy fails, nothing
     * is left behind.
     *
     * @throws IllegalArgumentException if {@code general.alignment} is set to something other than a power of two
     */
    public void write(Path path) throws IOException {
        GgufMetadata meta = metadata.build();
        int alignment = alignment(meta);
        List<HeaderEncoder.TensorInfo> infos = new ArrayList<>(tensors.size());
        long[] offsets = new long[tensors.size()];
        long dataSize = 0;
        for (int i = 0; i < tensors.size(); i++) {
            Pending t = tensors.get(i);
            offsets[i] = TensorTableReader.alignUp(dataSize, alignment);
            dataSize = Math.addExact(offsets[i], t.byteSize);
            infos.add(new HeaderEncoder.TensorInfo(t.name, t.type, t.shape, offsets[i]));
        }
        byte[] header = HeaderEncoder.encode(3, meta, infos);
        long dataOffset = TensorTableReader.alignUp(header.length, alignment);
        // like llama.cpp, a file without tensors ends with its header: there is no data section to align
        long fileSize = tensors.isEmpty() ? header.length
                : Math.addExact(dataOffset, TensorTableReader.alignUp(dataSize, alignment));

        // Write beside the target and move into place: a reader never sees a half-written file, and a GgufFile
        // still mapping the old one (perhaps the source of these tensors) keeps its bytes instead of crashing on a
        // truncated mapping. A name of our own rather than createTempFile keeps the umask's permissions.
        Path partial = path.resolveSibling(path.getFileName() + ".partial-" + ProcessHandle.current().pid() + "-"
                + System.nanoTime());
        boolean written = false;
        try {
            try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE, StandardOpenOption.READ);
                 Arena arena = Arena.ofShared()) {
                // mapping past the end grows the empty file to its final size; untouched pages stay sparse zeros,
                // which is exactly the padding the format wants. Shared, so fillers may work in parallel.
                MemorySegment out = channel.map(FileChannel.MapMode.READ_WRITE, 0, fileSize, arena);
                MemorySegment.copy(header, 0, out, JAVA_BYTE, 0, header.length);
                for (int i = 0; i < tensors.size(); i++) {
                    Pending t = tensors.get(i);
                    MemorySegment slice = out.asSlice(dataOffset + offsets[i], t.byteSize);
                    if (t.data != null) {
                        slice.copyFrom(t.data);
                    } else {
                        t.filler.accept(slice);
                    }
                }
            }
            moveIntoPlace(partial, path);
            written = true;
        } finally {
            if (!written) {
                Files.deleteIfExists(partial);
            }
        }
    }

    private static void moveIntoPlace(Path partial, Path path) throws IOException {
        try {
            Files.move(partial, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(partial, path, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static int alignment(GgufMetadata meta) {
        try {
            return GgufParser.alignment(meta);
        } catch (GgufFormatException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
