package io.starling.gguf;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.AccessMode;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
    /** The open file, for reads that bypass the mapping; null for a parsed segment. */
    private final RandomAccessFile file;

    GgufFile(MemorySegment segment, Arena arena, RandomAccessFile file, int version, int alignment, GgufMetadata metadata,
             List<GgufTensor> tensors, long dataOffset) {
        this.segment = segment;
        this.arena = arena;
        this.file = file;
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
        // A RandomAccessFile, not a FileChannel, stays open for readBytes: an interrupt during a channel's read would
        // close it for every later read; this one's channel serves the mapping alone. The access check first gives
        // the NIO exceptions (NoSuchFileException, AccessDeniedException) that callers tell apart.
        path.getFileSystem().provider().checkAccess(path, AccessMode.READ);
        RandomAccessFile file = new RandomAccessFile(path.toFile(), "r");
        Arena arena = Arena.ofShared();
        try {
            FileChannel channel = file.getChannel();
            return GgufParser.parse(channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena), arena, file);
        } catch (GgufFormatException e) {
            closeQuietly(arena, file);
            throw new GgufFormatException(path + ": " + e.getMessage(), e);
        } catch (Throwable t) {
            closeQuietly(arena, file);
            throw t;
        }
    }

    private static void closeQuietly(Arena arena, RandomAccessFile file) {
        arena.close();
        try {
            file.close();
        } catch (IOException ignored) {
            // the open already failed; that failure is the one to report
        }
    }

    /** Parses a segment the caller owns; {@link #close()} leaves it alone. */
    public static GgufFile parse(MemorySegment segment) {
        return GgufParser.parse(segment, null, null);
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

    /**
     * Copies {@code length} bytes of the file from {@code position} into {@code dst} with a plain read, leaving the
     * mapping's pages alone: a page read through the mapping stays in the process's resident set, with its
     * neighbours (the kernel maps 64 KB around a fault), where a plain read only passes through the page cache.
     * A parsed segment, which has no file, is copied from.
     *
     * @throws UncheckedIOException when the file can no longer be read (or was cut shorter than it was mapped)
     */
    public void readBytes(long position, byte[] dst, int dstOffset, int length) {
        Objects.checkFromIndexSize(dstOffset, length, dst.length);
        Objects.checkFromIndexSize(position, length, segment.byteSize());
        if (file == null) {
            MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, position, dst, dstOffset, length);
            return;
        }
        try {
            synchronized (file) {
                file.seek(position);
                file.readFully(dst, dstOffset, length);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + length + " bytes at " + position + " of the model file", e);
        }
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
        if (file != null) {
            try {
                file.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Override
    public String toString() {
        return "GgufFile[v" + version + ", " + metadata.size() + " keys, " + tensors.size() + " tensors, "
                + fileSize() + " bytes]";
    }
}
