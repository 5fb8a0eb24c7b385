package io.starling.kv;

/**
 * Hears what the arena does to idle sequences, for logs and metrics beyond the arena's own counters. Called
 * under the arena's lock: implementations must be quick and must not call back into the arena.
 */
public interface KvArenaListener {

    /** The cache of an idle store was evicted: its {@code pages} went to the spill file, or were dropped if not {@code spilled}. */
    default void evicted(PagedKvStore store, int pages, boolean spilled) {
    }

    /** A spilled page of {@code store} failed its checksum; the store's whole cache was dropped. */
    default void restoreFailed(PagedKvStore store, String reason) {
    }

    KvArenaListener NONE = new KvArenaListener() {
    };
}
