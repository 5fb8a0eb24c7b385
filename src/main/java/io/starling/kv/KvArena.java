package io.starling.kv;

import io.starling.model.ModelShape;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The KV cache memory of one model: off-heap pages of {@link KvLayout#pageBytes()} bytes under a hard cap, handed to
 * {@link PagedKvStore}s (one per sequence or session) as they grow, shared between stores holding the same token
 * prefix, evicted from idle stores when memory runs out, optionally spilled to a checksummed file.
 *
 * <h2>How a scheduler uses it</h2>
 * <pre>{@code
 * PagedKvStore kv = arena.newStore(contextLength);   // or a session's store, kept between requests
 * kv.pin();                        // in flight: never evicted; restores spilled pages (may throw KvCacheFullException)
 * int reused = kv.reuse(prompt);   // keeps/attaches the longest cached prefix of the prompt; feed prompt[reused..]
 * kv.reserve(Arrays.copyOfRange(prompt, reused, end));   // pages for the next chunk, before forward (may throw)
 * model.forward(Batch.single(kv, reused, chunk, LAST));  // writes the reserved positions
 * kv.reserve(new int[] {sampled}); ...                   // one more position per decode step
 * kv.unpin();                      // idle: evictable, least recently used first
 * kv.close();                      // or keep it for the session's next request
 * }</pre>
 * A {@link KvCacheFullException} leaves everything as it was: every page is held by pinned stores, so the caller
 * waits for one to finish or answers 429. Allocation happens in {@link PagedKvStore#reserve} rather than inside
 * {@code forward}, so a full cache stops a sequence before a batch runs, never halfway through one.
 *
 * <h2>Memory</h2>
 * Pages are carved from slabs of about {@value #SLAB_BYTES} bytes taken from the OS only when the free list runs
 * dry, so an idle server holds little; {@link KvCacheStats#allocatedBytes()} never exceeds the cap. When no page
 * is free and the cap is reached the arena takes, in order: a page only the prefix cache still remembers (least
 * recently released first), then the pages of the least recently used idle (unpinned) store, which go to the spill
 * file when one is configured and has room, and are dropped otherwise (the store then forgets its tokens and its
 * owner recomputes them). Pinned stores are never touched.
 *
 * <h2>Threads</h2>
 * Every structural change (allocation, pinning, eviction, sharing) happens under this arena's lock. Reads and
 * writes of a store's keys and values take no lock: they require the store to be pinned, which keeps its pages
 * from being evicted, and only ever write pages no other store can see.
 *
 * <h2>Metrics</h2>
 * {@link #stats()} is a consistent snapshot for gauges and counters ({@code starling_kv_cache_bytes{state}},
 * {@code starling_kv_cache_evictions_total}, ...); it takes the lock briefly.
 */
public final class KvArena implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(KvArena.class.getName());
    /** Memory is taken from the OS in slabs of this size (or one page, if larger). */
    static final long SLAB_BYTES = 4L << 20;

    private final KvLayout layout;
    private final long pageBytes;
    private final long capacityBytes;
    private final int totalPages;
    private final int pagesPerSlab;
    private final Arena memory = Arena.ofShared();
    private final MemorySegment[] slabs;
    private int pagesCreated;
    private final int[] freePages;
    private int freeCount;
    private final int[] references;
    private final int[] generations;
    private final PrefixCache prefixCache;
    /** Unpinned stores holding pages, least recently used first: the eviction order. */
    private final LinkedHashSet<PagedKvStore> idle = new LinkedHashSet<>();
    private final Set<PagedKvStore> open = Collections.newSetFromMap(new IdentityHashMap<>());
    private final SpillFile spill;
    private final KvArenaListener listener;
    private long nextStoreId;
    private long evictions;
    private long spilledPages;
    private long restoredPages;
    private long restoreFailures;
    private long prefixHitPages;
    private long cacheFullRejections;
    private boolean closed;

    public KvArena(KvLayout layout, KvArenaConfig config, KvArenaListener listener) {
        this.layout = layout;
        this.pageBytes = layout.pageBytes();
        this.capacityBytes = config.capacityBytes();
        long pages = capacityBytes / pageBytes;
        if (pages < 1) {
            throw new IllegalArgumentException("a KV cache of " + capacityBytes + " bytes cannot hold one page of "
                    + pageBytes + " bytes (" + layout.pagePositions() + " positions × " + layout.layers()
                    + " layers); raise the cache size");
        }
        if (pages > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a KV cache of " + capacityBytes + " bytes has too many pages");
        }
        this.totalPages = (int) pages;
        this.pagesPerSlab = (int) Math.max(1, Math.min(totalPages, SLAB_BYTES / pageBytes));
        this.slabs = new MemorySegment[(totalPages + pagesPerSlab - 1) / pagesPerSlab];
        this.freePages = new int[totalPages];
        this.references = new int[totalPages];
        this.generations = new int[totalPages];
        this.prefixCache = new PrefixCache(totalPages);
        this.listener = listener;
        try {
            this.spill = config.spillPath()
                    .map(path -> new SpillFile(path, config.spillCapacityBytes(), pageBytes))
                    .orElse(null);
        } catch (RuntimeException e) {
            memory.close();
            throw e;
        }
    }

    /** An arena for a model of this shape with F16 pages of {@value KvLayout#DEFAULT_PAGE_POSITIONS} positions. */
    public static KvArena forModel(ModelShape shape, KvArenaConfig config) {
        return new KvArena(KvLayout.of(shape, KvLayout.DEFAULT_PAGE_POSITIONS), config, KvArenaListener.NONE);
    }

    public KvLayout layout() {
        return layout;
    }

    /**
     * A new, empty, unpinned store for up to {@code capacity} positions (the caller caps it at the model's
     * context). It holds no memory until {@link PagedKvStore#reserve} is called.
     */
    public synchronized PagedKvStore newStore(int capacity) {
        requireOpen();
        if (capacity <= 0) {
            throw new IllegalArgumentException("a KV store needs a positive capacity, got " + capacity);
        }
        PagedKvStore store = new PagedKvStore(this, nextStoreId++, capacity);
        open.add(store);
        return store;
    }

    // ---- pages (callers hold the lock) ----

    MemorySegment segment(int page) {
        return slabs[page / pagesPerSlab].asSlice((page % pagesPerSlab) * pageBytes, pageBytes);
    }

    /**
     * A page with one reference for {@code requester}, evicting idle stores if needed.
     *
     * @param stillNeeded pages the caller's whole request still lacks, for the exception's message
     */
    int allocate(PagedKvStore requester, int stillNeeded) throws KvCacheFullException {
        int page = takePage();
        while (page < 0) {
            PagedKvStore victim = oldestIdleOtherThan(requester);
            if (victim == null) {
                cacheFullRejections++;
                throw new KvCacheFullException(stillNeeded, totalPages, capacityBytes);
            }
            victim.evictLocked();
            page = takePage();
        }
        references[page] = 1;
        generations[page]++;
        return page;
    }

    private int takePage() {
        if (freeCount == 0 && pagesCreated < totalPages) {
            growSlab();
        }
        if (freeCount > 0) {
            return freePages[--freeCount];
        }
        return prefixCache.reclaimOldest();
    }

    private void growSlab() {
        int slab = pagesCreated / pagesPerSlab;
        int pages = Math.min(pagesPerSlab, totalPages - pagesCreated);
        slabs[slab] = memory.allocate(pages * pageBytes, 64);
        // pushed in reverse so pages are handed out in ascending order
        for (int i = pages - 1; i >= 0; i--) {
            freePages[freeCount++] = pagesCreated + i;
        }
        pagesCreated += pages;
    }

    private PagedKvStore oldestIdleOtherThan(PagedKvStore requester) {
        for (PagedKvStore store : idle) {
            if (store != requester) {
                return store;
            }
        }
        return null;
    }

    void retain(int page) {
        if (references[page] == 0) {
            prefixCache.unpark(page);
        }
        references[page]++;
    }

    void release(int page) {
        if (references[page] <= 0) {
            throw new IllegalStateException("page " + page + " released more often than it was taken");
        }
        if (--references[page] == 0) {
            if (prefixCache.registered(page)) {
                prefixCache.park(page);
            } else {
                freePages[freeCount++] = page;
            }
        }
    }

    int references(int page) {
        return references[page];
    }

    int generation(int page) {
        return generations[page];
    }

    /** {@code page}'s content is about to change: forget it in the prefix cache and retire keys naming it. */
    void invalidate(int page) {
        prefixCache.unregister(page);
        generations[page]++;
    }

    void register(int page, PrefixKey key) {
        prefixCache.register(page, key);
    }

    /** The cached page holding {@code key}, or -1; nothing changes. */
    int peek(PrefixKey key) {
        return prefixCache.find(key);
    }

    /** The cached page holding {@code key}, with a reference taken for the caller, or -1. */
    int attach(PrefixKey key) {
        int page = prefixCache.find(key);
        if (page >= 0) {
            retain(page);
            prefixHitPages++;
        }
        return page;
    }

    /** {@link PrefixCache#longestStart}, nothing changed. */
    long peekLongestStart(int parentPage, int[] source, int from, int max) {
        return prefixCache.longestStart(parentKey(parentPage), source, from, max);
    }

    /** {@link PrefixCache#longestStart}, with a reference taken for the caller on the page found. */
    long attachLongestStart(int parentPage, int[] source, int from, int max) {
        long hit = peekLongestStart(parentPage, source, from, max);
        if (hit >= 0) {
            retain((int) (hit >>> 32));
            prefixHitPages++;
        }
        return hit;
    }

    boolean registered(int page) {
        return prefixCache.registered(page);
    }

    private long parentKey(int parentPage) {
        return PrefixKey.parentOf(parentPage, parentPage == PrefixKey.ROOT ? 0 : generation(parentPage));
    }

    // ---- store lifecycle (callers hold the lock) ----

    void markIdle(PagedKvStore store) {
        idle.remove(store);
        idle.add(store);
    }

    void markBusy(PagedKvStore store) {
        idle.remove(store);
    }

    void closed(PagedKvStore store) {
        idle.remove(store);
        open.remove(store);
    }

    // ---- spill (callers hold the lock) ----

    boolean canSpill(int pages) {
        return spill != null && spill.freeSlots() >= pages;
    }

    /**
     * Writes {@code page} to a spill slot and returns the slot.
     *
     * @throws UncheckedIOException when the file cannot take it
     */
    int spillPage(int page) {
        return spill.write(segment(page));
    }

    void spilled(int pages) {
        spilledPages += pages;
    }

    boolean spillIntact(int slot) {
        return spill.intact(slot);
    }

    boolean restorePage(int slot, int page) {
        return spill.read(slot, segment(page));
    }

    void freeSlot(int slot) {
        spill.free(slot);
    }

    void evicted(PagedKvStore store, int pages, boolean spilled) {
        evictions++;
        listener.evicted(store, pages, spilled);
    }

    void restored(int pages) {
        restoredPages += pages;
    }

    void restoreFailed(PagedKvStore store, String reason) {
        restoreFailures++;
        LOG.log(System.Logger.Level.WARNING, "KV store " + store.id() + ": " + reason
                + "; its cache was dropped and will be recomputed");
        listener.restoreFailed(store, reason);
    }

    SpillFile spillFile() {
        return spill;
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("this KV arena is closed");
        }
    }

    // ---- metrics ----

    /** The hard cap. */
    public long capacityBytes() {
        return capacityBytes;
    }

    public long pageBytes() {
        return pageBytes;
    }

    /** Pages the cap allows. */
    public int totalPages() {
        return totalPages;
    }

    /** The memory and event counts now, taken together under the lock: what telemetry exports. */
    public synchronized KvCacheStats stats() {
        return new KvCacheStats(capacityBytes, allocatedBytes(), (long) (pagesCreated - freeCount) * pageBytes,
                (long) prefixCache.parkedCount() * pageBytes,
                spill == null ? 0 : (long) (spill.slots() - spill.freeSlots()) * pageBytes,
                evictions, spilledPages, restoredPages, restoreFailures, prefixHitPages, cacheFullRejections,
                open.size());
    }

    /** Off-heap memory taken from the OS so far (never more than the cap). */
    private long allocatedBytes() {
        return (long) pagesCreated * pageBytes;
    }

    /**
     * Checks the arena's bookkeeping against its stores and throws {@link IllegalStateException} at the first
     * contradiction: memory within the cap; every page exactly one of free, parked in the prefix cache, or held,
     * with a reference count equal to the number of stores holding it; every spill slot free or held by exactly
     * one store; every pinned store resident with a page for each of its positions. For tests and diagnostics.
     */
    public synchronized void verifyIntegrity() {
        check(allocatedBytes() <= capacityBytes, "allocated " + allocatedBytes() + " bytes beyond the cap " + capacityBytes);
        int[] holders = new int[totalPages];
        int[] slotHolders = spill == null ? new int[0] : new int[spill.slots()];
        for (PagedKvStore store : open) {
            for (int page : store.residentPages()) {
                holders[page]++;
            }
            for (int slot : store.spillSlots()) {
                slotHolders[slot]++;
            }
            if (store.pinned()) {
                check(store.state() == PagedKvStore.State.RESIDENT, "pinned store " + store.id() + " is " + store.state());
                check(store.residentPages().length == layout.pagesFor(store.length()),
                        "pinned store " + store.id() + " has " + store.residentPages().length + " pages for "
                                + store.length() + " positions");
            }
        }
        boolean[] free = new boolean[totalPages];
        for (int i = 0; i < freeCount; i++) {
            int page = freePages[i];
            check(!free[page], "page " + page + " is twice on the free list");
            free[page] = true;
        }
        for (int page = 0; page < pagesCreated; page++) {
            check(references[page] == holders[page], "page " + page + " has " + references[page] + " references but "
                    + holders[page] + " holders");
            boolean parked = prefixCache.isParked(page);
            int states = (free[page] ? 1 : 0) + (parked ? 1 : 0) + (holders[page] > 0 ? 1 : 0);
            check(states == 1, "page " + page + " is free=" + free[page] + ", parked=" + parked + ", held by "
                    + holders[page]);
            check(!free[page] || !prefixCache.registered(page), "free page " + page + " is still registered");
        }
        for (int slot = 0; slot < slotHolders.length; slot++) {
            check(slotHolders[slot] <= 1, "spill slot " + slot + " is held by " + slotHolders[slot] + " stores");
        }
        if (spill != null) {
            int used = 0;
            for (int holders1 : slotHolders) {
                used += holders1;
            }
            check(used == spill.slots() - spill.freeSlots(), used + " spill slots held but "
                    + (spill.slots() - spill.freeSlots()) + " in use");
        }
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException("KV arena integrity: " + message);
        }
    }

    /** Frees all memory and deletes the spill file; every store becomes unusable. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Iterator<PagedKvStore> it = open.iterator(); it.hasNext(); ) {
            it.next().arenaClosed();
            it.remove();
        }
        idle.clear();
        try {
            memory.close();
        } finally {
            if (spill != null) {
                spill.close();
            }
        }
    }
}
