package io.starling.kv;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Evicted pages on disk: a memory-mapped file of fixed-size slots, one page each, with the CRC32C of what was
 * written kept in memory and checked when the page comes back, so a damaged file is detected instead of feeding a
 * model wrong keys and values. The file only lives as long as the arena (it is recreated empty and deleted on
 * close); its blocks are allocated by the file system as slots are first written.
 *
 * <p>Not thread-safe: the arena calls it under its lock.
 */
final class SpillFile implements AutoCloseable {

    private final Path path;
    private final MemorySegment mapped;
    private final long slotBytes;
    private final int[] checksums;
    private final int[] freeSlots;
    private int freeCount;

    SpillFile(Path path, long capacityBytes, long slotBytes, Arena arena) {
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
        // the mapping outlives the channel: it goes when the arena closes
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            this.mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, slots * slotBytes, arena);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the KV spill file " + path + ": " + e.getMessage(), e);
        }
    }

    int slots() {
        return checksums.length;
    }

    int freeSlots() {
        return freeCount;
    }

    /** Copies {@code page} into a free slot and returns the slot; the caller checked {@link #freeSlots()}. */
    int write(MemorySegment page) {
        if (freeCount == 0) {
            throw new IllegalStateException("no free spill slot");
        }
        int slot = freeSlots[--freeCount];
        MemorySegment target = slot(slot);
        MemorySegment.copy(page, 0, target, 0, slotBytes);
        checksums[slot] = crc(page);
        return slot;
    }

    /** Whether slot {@code slot} still has the checksum it was written with. */
    boolean intact(int slot) {
        return crc(slot(slot)) == checksums[slot];
    }

    /**
     * Copies slot {@code slot} into {@code page} if its content still has the checksum it was written with.
     *
     * @return false, leaving {@code page} untouched, when the slot was damaged
     */
    boolean read(int slot, MemorySegment page) {
        MemorySegment source = slot(slot);
        if (crc(source) != checksums[slot]) {
            return false;
        }
        MemorySegment.copy(source, 0, page, 0, slotBytes);
        return true;
    }

    void free(int slot) {
        freeSlots[freeCount++] = slot;
    }

    /** Where slot {@code slot} starts in the file, for tests that damage it. */
    long fileOffset(int slot) {
        return slot * slotBytes;
    }

    private MemorySegment slot(int slot) {
        return mapped.asSlice(slot * slotBytes, slotBytes);
    }

    private static int crc(MemorySegment bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes.asByteBuffer());
        return (int) crc.getValue();
    }

    /** Deletes the file; the mapping goes with the arena that owns it. */
    @Override
    public void close() {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the KV spill file " + path + ": " + e.getMessage(), e);
        }
    }
}
