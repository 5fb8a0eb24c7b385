package io.starling.kv;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * Evicted pages on disk: a file of fixed-size slots, one page each, with the CRC32C of what was written kept in
 * memory and checked when the page comes back, so a damaged file is detected instead of feeding a model wrong keys
 * and values. The file only lives as long as the arena (it is recreated empty and deleted on close); its blocks are
 * allocated by the file system as slots are first written.
 *
 * <p>Pages go through plain reads and writes, not a mapping: a page written into a mapped file stays resident in
 * the process (and counts against its memory) until the kernel is short of memory, so a mapped spill file would
 * grow the process by every page it took off the cache. Written, they sit in the page cache, where the kernel
 * reclaims them like any cold file data. {@link RandomAccessFile}, not a {@code FileChannel}: an interrupt closes a
 * channel for good.
 *
 * <p>Not thread-safe: the arena calls it under its lock.
 */
final class SpillFile implements AutoCloseable {

    /** The most bytes copied between a page and the file at a time: the size of the one transfer buffer. */
    private static final int CHUNK_BYTES = 256 * 1024;

    private final Path path;
    private final RandomAccessFile file;
    private final long slotBytes;
    private final int[] checksums;
    private final int[] freeSlots;
    private final byte[] chunk;
    private int freeCount;

    SpillFile(Path path, long capacityBytes, long slotBytes) {
        int slots = (int) Math.min(Integer.MAX_VALUE - 8, capacityBytes / slotBytes);
        if (slots < 1) {
            throw new IllegalArgumentException("spill capacity of " + capacityBytes + " bytes holds no page of "
                    + slotBytes + " bytes");
        }
        this.path = path;
        this.slotBytes = slotBytes;
        this.checksums = new int[slots];
        this.freeSlots = new int[slots];
        for (int i = 0; i < slots; i++) {
            freeSlots[i] = slots - 1 - i;
        }
        this.freeCount = slots;
        this.chunk = new byte[(int) Math.min(CHUNK_BYTES, slotBytes)];
        this.file = open(path);
    }

    private static RandomAccessFile open(Path path) {
        RandomAccessFile opened = null;
        try {
            opened = new RandomAccessFile(path.toFile(), "rw");
            opened.setLength(0);
            return opened;
        } catch (IOException e) {
            UncheckedIOException failure = new UncheckedIOException("cannot create the KV spill file " + path + ": "
                    + e.getMessage(), e);
            if (opened != null) {
                try {
                    opened.close();
                } catch (IOException suppressed) {
                    failure.addSuppressed(suppressed);
                }
            }
            throw failure;
        }
    }

    int slots() {
        return checksums.length;
    }

    int freeSlots() {
        return freeCount;
    }

    /**
     * Writes {@code page} into a free slot and returns the slot; the caller checked {@link #freeSlots()}.
     *
     * @throws UncheckedIOException when the file cannot take it (the slot stays free)
     */
    int write(MemorySegment page) {
        if (freeCount == 0) {
            throw new IllegalStateException("no free spill slot");
        }
        int slot = freeSlots[freeCount - 1];
        CRC32C crc = new CRC32C();
        try {
            file.seek(fileOffset(slot));
            for (long done = 0; done < slotBytes; done += chunk.length) {
                int n = (int) Math.min(chunk.length, slotBytes - done);
                MemorySegment.copy(page, ValueLayout.JAVA_BYTE, done, chunk, 0, n);
                crc.update(chunk, 0, n);
                file.write(chunk, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to the KV spill file " + path + ": " + e.getMessage(), e);
        }
        checksums[slot] = (int) crc.getValue();
        freeCount--;
        return slot;
    }

    /** Whether slot {@code slot} can be read and still has the checksum it was written with. */
    boolean intact(int slot) {
        return copyChecked(slot, null);
    }

    /**
     * Reads slot {@code slot} into {@code page} and checks it against the checksum it was written with.
     *
     * @return false when the slot was damaged or could not be read; {@code page} then holds no meaningful content
     */
    boolean read(int slot, MemorySegment page) {
        return copyChecked(slot, page);
    }

    /** Reads the slot through the chunk buffer, into {@code page} unless it is null, and checks its CRC32C. */
    private boolean copyChecked(int slot, MemorySegment page) {
        CRC32C crc = new CRC32C();
        try {
            file.seek(fileOffset(slot));
            for (long done = 0; done < slotBytes; done += chunk.length) {
                int n = (int) Math.min(chunk.length, slotBytes - done);
                file.readFully(chunk, 0, n);
                crc.update(chunk, 0, n);
                if (page != null) {
                    MemorySegment.copy(chunk, 0, page, ValueLayout.JAVA_BYTE, done, n);
                }
            }
        } catch (IOException e) {
            return false;
        }
        return (int) crc.getValue() == checksums[slot];
    }

    void free(int slot) {
        freeSlots[freeCount++] = slot;
    }

    /** Where slot {@code slot} starts in the file, for tests that damage it. */
    long fileOffset(int slot) {
        return slot * slotBytes;
    }

    /** Closes and deletes the file. */
    @Override
    public void close() {
        try (file) {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the KV spill file " + path + ": " + e.getMessage(), e);
        }
    }
}
