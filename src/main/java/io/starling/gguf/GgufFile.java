package io.starling.gguf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed GGUF file (version 2 or 3, little-endian): its metadata and its tensors as zero-copy slices of one
 * memory-mapped segment. Opening parses and validates the header, metadata and tensor table, and checks that every
 * tensor lies inside the file; it neither copies nor reads tensor data.
 *
 * <p>Tensor segments stay valid until {@link #close()}; a shared arena owns the mapping so any thread may read them.
 */
public final class GgufFile implements AutoCloseable {

    private final MemorySegment segment;
    private final Arena arena;
    private final int version;
    private final int alignment;
    private final GgufMetadata metadata;
    private final List<GgufTensor> tensors;
    private final Map<String, GgufTensor> byName;
    private final long dataOffset;

    GgufFile(MemorySegment segment, Arena arena, int version, int alignment, GgufMetadata metadata,
             List<GgufTensor> tensors, long dataOffset) {
        this.segment = segment;
        this.arena = arena;
        this.version = version;
        this.alignment = alignment;
        this.metadata = metadata;
        this.tensors = tensors;
        this.dataOffset = dataOffset;
        this.byName = HashMap.newHashMap(tensors.size());
        for (GgufTensor t : tensors) {
            byName.put(t.name(), t);
        }
    }

    /**
     * Maps the whole file read-only and parses it.
     *
     * @throws GgufFormatException if the content is not a valid GGUF file; the message starts with the path
     */
    public static GgufFile open(Path path) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            Arena arena = Arena.ofShared();
            try {
                return GgufParser.parse(channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena), arena);
            } catch (GgufFormatException e) {
                arena.close();
                throw new GgufFormatException(path + ": " + e.getMessage(), e);
            } catch (Throwable t) {
                arena.close();
                throw t;
            }
        }
    }

    /** Parses a segment the caller owns; {@link #close()} leaves it alone. */
    public static GgufFile parse(MemorySegment segment) {
        return GgufParser.parse(segment, null);
    }

    public int version() {
        return version;
    }

    /** The data alignment: {@code general.alignment}, or 32 when the file does not set it. */
    public int alignment() {
        return alignment;
    }

    public GgufMetadata metadata() {
        return metadata;
    }

    /** All tensors in file order. */
    public List<GgufTensor> tensors() {
        return tensors;
    }

    /** @throws GgufFormatException when the file has no tensor of that name */
    public GgufTensor tensor(String name) {
        GgufTensor t = byName.get(name);
        if (t == null) {
            throw new GgufFormatException("missing tensor '" + name + "'");
        }
        return t;
    }

    public Optional<GgufTensor> findTensor(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /**
     * Absolute offset of the data section: the end of the tensor infos rounded up to the alignment (or the file
     * size, for a file without tensors that ends before that point).
     */
    public long dataOffset() {
        return dataOffset;
    }

    public long fileSize() {
        return segment.byteSize();
    }

    /** The whole file. */
    public MemorySegment segment() {
        return segment;
    }

    /** {@code general.architecture}, e.g. "llama", or null when absent. */
    public String architecture() {
        return metadata.findString("general.architecture").orElse(null);
    }

    /** Unmaps a file opened with {@link #open}; every tensor segment becomes unusable. Closing twice is harmless. */
    @Override
    public void close() {
        if (arena != null && arena.scope().isAlive()) {
            arena.close();
        }
    }

    @Override
    public String toString() {
        return "GgufFile[v" + version + ", " + metadata.size() + " keys, " + tensors.size() + " tensors, "
                + fileSize() + " bytes]";
    }
}
