package io.starling.engine;

import io.starling.kv.KvArena;
import io.starling.kv.KvArenaConfig;
import io.starling.kv.KvArenaListener;
import io.starling.kv.KvCacheFullException;
import io.starling.kv.KvLayout;
import io.starling.kv.PagedKvStore;
import io.starling.model.KvStore;
import io.starling.model.Warmup;

/**
 * The warm-up's KV stores: paged stores like the requests' ({@link PagedKvStore}, same layout and element type), so
 * the forward pass is compiled for the class requests use, but from a small arena of their own. The serving arena's
 * cap, eviction and prefix cache never see them, so a request arriving between two warm-up steps finds all of its
 * cache free. The arena holds {@link Warmup#SEQUENCES} sequences of {@link Warmup#sequencePositions()} positions
 * (a few pages: ~3 MB on a 1B model, outside {@code starling.kv.cache-mb}), made at the first store and freed when
 * the warm-up ends.
 */
final class WarmupKvStores implements Warmup.Stores {

    private final KvLayout layout;
    private KvArena arena;

    WarmupKvStores(KvLayout layout) {
        this.layout = layout;
    }

    @Override
    public KvStore open(int capacity) {
        if (arena == null) {
            long pages = (long) Warmup.SEQUENCES * layout.pagesFor(Warmup.sequencePositions());
            arena = new KvArena(layout, KvArenaConfig.inMemory(pages * layout.pageBytes()), KvArenaListener.NONE);
        }
        PagedKvStore store = arena.newStore(capacity);
        try {
            store.pin();
        } catch (KvCacheFullException e) {
            store.close();
            throw new IllegalStateException("a new KV store has nothing to restore", e);
        }
        return store;
    }

    @Override
    public void extend(KvStore store, int[] tokens) {
        try {
            ((PagedKvStore) store).reserve(tokens);
        } catch (KvCacheFullException e) {
            throw new IllegalStateException("the warm-up's arena is sized for its sequences, yet it is full", e);
        }
    }

    @Override
    public void close(KvStore store) {
        PagedKvStore paged = (PagedKvStore) store;
        paged.unpin();
        paged.close();
    }

    @Override
    public void release() {
        if (arena != null) {
            arena.close();
            arena = null;
        }
    }

    /** Whether the arena is allocated (between the first store and the end of the warm-up). */
    boolean holdsArena() {
        return arena != null;
    }
}
