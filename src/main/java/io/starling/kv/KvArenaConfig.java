package io.starling.kv;

import java.nio.file.Path;
import java.util.Optional;

/**
 * How much memory one model's KV arena may use and where evicted pages may go.
 *
 * @param capacityBytes      hard cap on the arena's off-heap memory ({@code starling.kv.cache-mb})
 * @param spillPath          the spill file, or empty to drop evicted pages ({@code starling.kv.spill-path})
 * @param spillCapacityBytes the most bytes the spill file may hold ({@code starling.kv.spill-mb})
 */
public record KvArenaConfig(long capacityBytes, Optional<Path> spillPath, long spillCapacityBytes) {

    public KvArenaConfig {
        if (capacityBytes <= 0) {
            throw new IllegalArgumentException("the KV cache needs a positive size, got " + capacityBytes + " bytes");
        }
        if (spillPath == null) {
            throw new IllegalArgumentException("spillPath must be given (Optional.empty() for none)");
        }
        if (spillPath.isPresent() && spillCapacityBytes <= 0) {
            throw new IllegalArgumentException("a spill file needs a positive size, got " + spillCapacityBytes + " bytes");
        }
    }

    /** An arena of {@code bytes} bytes that drops evicted pages. */
    public static KvArenaConfig inMemory(long bytes) {
        return new KvArenaConfig(bytes, Optional.empty(), 0);
    }

    /** An arena of {@code megabytes} MiB that drops evicted pages. */
    public static KvArenaConfig ofMegabytes(long megabytes) {
        return inMemory(Math.multiplyExact(megabytes, 1024L * 1024));
    }

    /** This configuration with evicted pages spilled to {@code path}, up to {@code bytes} of them. */
    public KvArenaConfig withSpill(Path path, long bytes) {
        return new KvArenaConfig(capacityBytes, Optional.of(path), bytes);
    }
}
