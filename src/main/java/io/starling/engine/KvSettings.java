package io.starling.engine;

import io.starling.kv.KvArena;
import io.starling.kv.KvArenaConfig;
import io.starling.kv.KvArenaListener;
import io.starling.kv.KvDtype;
import io.starling.kv.KvLayout;
import io.starling.model.ModelShape;
import io.starling.session.SessionRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Optional;

/**
 * The KV cache and sessions of a model, from {@code starling.kv.*} and {@code starling.sessions.*}.
 *
 * @param capacityBytes  hard cap on the arena's off-heap memory
 * @param pagePositions  positions per page
 * @param dtype          element type of cached keys and values
 * @param spillPath      where evicted pages go, or empty to drop them
 * @param spillBytes     the most the spill file may hold
 * @param maxSessions    sessions kept at once (0: none)
 * @param sessionTtl     an idle session is closed after this long
 */
public record KvSettings(long capacityBytes, int pagePositions, KvDtype dtype, Optional<Path> spillPath,
                         long spillBytes, int maxSessions, Duration sessionTtl) {

    private static final long MIB = 1024L * 1024;

    public KvSettings {
        if (capacityBytes <= 0) {
            throw new IllegalArgumentException("starling.kv.cache-mb must be positive, got " + capacityBytes + " bytes");
        }
        if (pagePositions < 1) {
            throw new IllegalArgumentException("starling.kv.page-positions must be >= 1, got " + pagePositions);
        }
        if (spillPath.isPresent() && spillBytes <= 0) {
            throw new IllegalArgumentException("starling.kv.spill-mb must be positive with a spill path, got " + spillBytes);
        }
        if (maxSessions < 0) {
            throw new IllegalArgumentException("starling.sessions.max must be >= 0, got " + maxSessions);
        }
        if (sessionTtl.isNegative() || sessionTtl.isZero()) {
            throw new IllegalArgumentException("starling.sessions.ttl-seconds must be >= 1, got " + sessionTtl.toSeconds());
        }
    }

    /** Settings with the cache and spill sizes in MiB, as configured. */
    public static KvSettings ofMegabytes(double cacheMb, int pagePositions, KvDtype dtype, Optional<Path> spillPath,
                                         long spillMb, int maxSessions, Duration sessionTtl) {
        return new KvSettings((long) (cacheMb * MIB), pagePositions, dtype, spillPath, spillMb * MIB, maxSessions,
                sessionTtl);
    }

    /** The arena and session registry of a model of this shape (its context bounds every session's cache). */
    public PagedKvCaches cachesFor(ModelShape shape, int contextLength) {
        KvLayout layout = new KvLayout(shape.layers(), shape.kvDim(), pagePositions, dtype);
        KvArenaConfig config = spillPath.map(path -> KvArenaConfig.inMemory(capacityBytes).withSpill(path, spillBytes))
                .orElseGet(() -> KvArenaConfig.inMemory(capacityBytes));
        KvArena arena = new KvArena(layout, config, KvArenaListener.NONE);
        return new PagedKvCaches(arena,
                new SessionRegistry(arena, maxSessions, sessionTtl, InstantSource.system(), contextLength));
    }
}
