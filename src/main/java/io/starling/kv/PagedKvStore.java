package io.starling.kv;

import io.starling.model.KvStore;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The KV cache of one sequence (or session) in a {@link KvArena}: a page table mapping its positions to arena
 * pages of {@link KvLayout#pagePositions()} positions, plus the tokens those positions hold, so the owner can ask
 * how much of a new prompt is already computed. See {@link KvArena} for the life cycle a scheduler follows.
 *
 * <p>Structural calls ({@link #pin}, {@link #reserve}, {@link #reuse}, {@link #truncate}, {@link #fork},
 * {@link #unpin}, {@link #close}) are thread-safe. {@link #write}, {@link #readKeys} and {@link #readValues} are the
 * model's hot path: they take no lock, need the store pinned, and are called by one thread at a time (the engine
 * loop that owns the sequence).
 *
 * <p>Values are exactly what {@link io.starling.model.ContiguousKvStore} keeps when the layout is F16. Positions
 * are written layer by layer in order; a full page whose positions are written in every layer is published to the
 * arena's prefix cache and from then on never written again (it may be shared), until {@link #truncate} or
 * {@link #reuse} cut into it, which copies it first if another store holds it.
 */
public final class PagedKvStore implements KvStore {

    /** Where a store's keys and values are. */
    public enum State {
        /** In arena pages (or nothing written yet). */
        RESIDENT,
        /** Evicted to the spill file; {@link #pin} brings them back. */
        SPILLED,
        /** Closed: every page and slot released. */
        CLOSED
    }

    private final KvArena arena;
    private final KvLayout layout;
    private final int pagePositions;
    private final int capacity;
    private final long id;

    // The page table. Changed only under the arena's lock; read without it by the pinned owner.
    private int[] pages = new int[0];
    private MemorySegment[] segments = new MemorySegment[0];
    private int pageCount;
    /** While {@link State#SPILLED}: the spill slot of each page. */
    private int[] spillSlots = new int[0];
    private int[] tokens = new int[0];
    private int length;
    /** Per layer: positions {@code [0, written[layer])} hold keys and values. */
    private final int[] written;
    /** Positions below this lie in pages that are published or shared and must not be written. */
    private int writableFrom;
    /** Leading full pages already offered to the prefix cache. */
    private int publishedPages;
    private volatile int pins;
    private volatile State state = State.RESIDENT;
    private boolean closeRequested;

    PagedKvStore(KvArena arena, long id, int capacity) {
        this.arena = arena;
        this.layout = arena.layout();
        this.pagePositions = layout.pagePositions();
        this.capacity = capacity;
        this.id = id;
        this.written = new int[layout.layers()];
    }

    /** A number unique within the arena, for logs. */
    public long id() {
        return id;
    }

    @Override
    public int capacity() {
        return capacity;
    }

    @Override
    public int kvDim() {
        return layout.kvDim();
    }

    public State state() {
        return state;
    }

    public boolean pinned() {
        return pins > 0;
    }

    /** Positions reserved: the tokens this store holds, written or about to be. */
    public int length() {
        synchronized (arena) {
            return length;
        }
    }

    /** The tokens this store holds, position by position. */
    public int[] tokens() {
        synchronized (arena) {
            return Arrays.copyOf(tokens, length);
        }
    }

    // ---- life cycle ----

    /**
     * Marks the store in flight: it is not evicted until {@link #unpin}. A spilled store is read back first; if a
     * spilled page fails its checksum the whole cache is dropped ({@link #length()} becomes 0, counted and logged)
     * and the owner recomputes from its tokens. Pins nest.
     *
     * @throws KvCacheFullException if the spilled pages cannot be brought back because every page is pinned;
     *                              the store stays spilled and unpinned
     */
    public void pin() throws KvCacheFullException {
        synchronized (arena) {
            requireOpen();
            if (state == State.SPILLED) {
                restoreLocked();
            }
            pins++;
            arena.markBusy(this);
        }
    }

    /** Ends one {@link #pin}; when the last ends, the store becomes evictable (or is closed, if that was asked). */
    public void unpin() {
        synchronized (arena) {
            if (pins == 0) {
                throw new IllegalStateException("KV store " + id + " is not pinned");
            }
            pins--;
            if (pins == 0) {
                if (closeRequested) {
                    closeLocked();
                } else if (pageCount > 0) {
                    arena.markIdle(this);
                }
            }
        }
    }

    /** Releases every page and spill slot; a pinned store is closed when its last pin ends. Idempotent. */
    public void close() {
        synchronized (arena) {
            if (state == State.CLOSED) {
                return;
            }
            if (pins > 0) {
                closeRequested = true;
            } else {
                closeLocked();
            }
        }
    }

    private void closeLocked() {
        releasePages();
        freeSpillSlots();
        forgetTokens();
        state = State.CLOSED;
        arena.closed(this);
    }

    // ---- growth and reuse ----

    /**
     * Appends {@code newTokens} at positions {@code [length, length + n)} and makes sure pages exist for them; the
     * next forward pass writes them. Either every page is found or nothing changes.
     *
     * @throws KvCacheFullException     if the arena cannot supply the pages
     * @throws IllegalArgumentException if the store's capacity would be exceeded
     */
    public void reserve(int[] newTokens) throws KvCacheFullException {
        synchronized (arena) {
            requirePinned();
            int n = newTokens.length;
            if (n == 0) {
                return;
            }
            if (n > capacity - length) {
                throw new IllegalArgumentException("KV store " + id + " holds " + length + " of " + capacity
                        + " positions; " + n + " more do not fit");
            }
            boolean partial = length % pagePositions != 0;
            // a page other stores hold, or one the prefix cache still offers whole (taken in part by reuse), is
            // copied before it gets new positions; only a page of our own alone is written in place
            boolean copyLastPage = partial && (arena.references(pages[pageCount - 1]) > 1
                    || arena.registered(pages[pageCount - 1]));
            int newPages = layout.pagesFor(length + n) - pageCount;
            int[] fresh = allocate(newPages + (copyLastPage ? 1 : 0));
            if (partial && !copyLastPage) {
                // our own page, about to get new positions: what it held no longer describes it
                arena.invalidate(pages[pageCount - 1]);
            }
            int next = 0;
            if (copyLastPage) {
                int page = fresh[next++];
                MemorySegment.copy(segments[pageCount - 1], 0, arena.segment(page), 0, layout.pageBytes());
                arena.release(pages[pageCount - 1]);
                setPage(pageCount - 1, page);
            }
            ensurePageSlots(pageCount + newPages);
            while (next < fresh.length) {
                setPage(pageCount++, fresh[next++]);
            }
            ensureTokenSlots(length + n);
            System.arraycopy(newTokens, 0, tokens, length, n);
            length += n;
        }
    }

    /**
     * How many leading positions of {@code prompt} {@link #reuse} would keep, without changing anything: the
     * common prefix with this store's written tokens, extended by the prefix cache's pages, at most
     * {@code prompt.length - 1} (the last prompt token must go through the model to give logits). For a spilled
     * store this assumes the restore succeeds.
     */
    public int reusablePositions(int[] prompt) {
        synchronized (arena) {
            requireOpen();
            int limit = prompt.length - 1;
            int kept = commonPrefix(prompt, Math.min(limit, completedPositions()));
            if (kept % pagePositions != 0 || state != State.RESIDENT) {
                return kept;
            }
            int parent = kept == 0 ? PrefixKey.ROOT : pages[kept / pagePositions - 1];
            int room = Math.min(limit, capacity);
            while (kept + pagePositions <= room) {
                int page = arena.peek(chainKey(parent, prompt, kept));
                if (page < 0) {
                    break;
                }
                parent = page;
                kept += pagePositions;
            }
            long start = kept < room ? arena.peekLongestStart(parent, prompt, kept, Math.min(room - kept, pagePositions)) : -1;
            return start < 0 ? kept : kept + (int) start;
        }
    }

    /**
     * Makes this store hold the longest prefix of {@code prompt} it can without computing: keeps the common prefix
     * with its own written tokens, drops the rest, then attaches whole pages other stores computed for the same
     * tokens from the arena's prefix cache, and the leading positions of one more cached page that starts as the
     * rest of the prompt does (copied before this store writes into it). At most {@code prompt.length - 1} positions
     * are kept, since the last prompt token must go through the model to give logits.
     *
     * @return the positions kept: the caller reserves and feeds {@code prompt[returned ..]}
     */
    public int reuse(int[] prompt) {
        synchronized (arena) {
            requirePinned();
            int limit = prompt.length - 1;
            if (limit < 0) {
                throw new IllegalArgumentException("an empty prompt: nothing to reuse");
            }
            truncateLocked(commonPrefix(prompt, Math.min(limit, completedPositions())));
            if (length % pagePositions == 0) {
                attachCachedPages(prompt, Math.min(limit, capacity));
            }
            return length;
        }
    }

    /**
     * Forgets positions {@code [newLength, length)}: pages wholly beyond are released; a page cut into is copied
     * at the next {@link #reserve} if other stores still hold it. {@code newLength} is {@link #length()} (nothing
     * happens) or a written position count.
     */
    public void truncate(int newLength) {
        synchronized (arena) {
            requirePinned();
            if (newLength == length) {
                return;
            }
            if (newLength < 0 || newLength > completedPositions()) {
                throw new IllegalArgumentException("cannot truncate KV store " + id + " of " + length + " positions ("
                        + completedPositions() + " written) to " + newLength);
            }
            truncateLocked(newLength);
        }
    }

    /**
     * A new pinned store holding the same positions: full pages are shared (reference counted, never written
     * again by either store), a partly filled last page is copied. For {@code n > 1} choices over one prompt.
     *
     * @throws KvCacheFullException if the last page cannot be copied
     * @throws IllegalStateException if reserved positions are not written yet (fork after the forward pass)
     */
    public PagedKvStore fork() throws KvCacheFullException {
        synchronized (arena) {
            requirePinned();
            if (completedPositions() != length) {
                throw new IllegalStateException("KV store " + id + " has " + (length - completedPositions())
                        + " reserved positions not written yet: fork after the forward pass that fills them");
            }
            int full = length / pagePositions;
            int[] copy = allocate(pageCount - full);
            PagedKvStore child = arena.newStore(capacity);
            child.ensurePageSlots(pageCount);
            for (int i = 0; i < full; i++) {
                arena.retain(pages[i]);
                child.setPage(i, pages[i]);
            }
            if (copy.length == 1) {
                MemorySegment.copy(segments[full], 0, arena.segment(copy[0]), 0, layout.pageBytes());
                child.setPage(full, copy[0]);
            }
            child.pageCount = pageCount;
            child.tokens = Arrays.copyOf(tokens, length);
            child.length = length;
            System.arraycopy(written, 0, child.written, 0, written.length);
            child.publishedPages = publishedPages;
            child.writableFrom = Math.max(writableFrom, full * pagePositions);
            writableFrom = child.writableFrom;
            child.pins = 1;
            return child;
        }
    }

    // ---- the model's view ----

    @Override
    public void write(int layer, int position, float[] key, int keyOffset, float[] value, int valueOffset) {
        requireAccess(layer);
        if (position < writableFrom || position >= length) {
            throw new IllegalStateException(position < writableFrom
                    ? "position " + position + " of KV store " + id + " lies in a shared or published page"
                    : "position " + position + " of KV store " + id + " was not reserved (length " + length + ")");
        }
        if (position > written[layer]) {
            throw new IllegalStateException("position " + position + " of layer " + layer + " written before position "
                    + written[layer]);
        }
        int kvDim = layout.kvDim();
        if (keyOffset < 0 || keyOffset > key.length - kvDim || valueOffset < 0 || valueOffset > value.length - kvDim) {
            throw new IndexOutOfBoundsException("a key or value of " + kvDim + " floats does not fit at offsets "
                    + keyOffset + ", " + valueOffset);
        }
        MemorySegment page = segments[position / pagePositions];
        int inPage = position % pagePositions;
        layout.dtype().write(page, layout.offset(layer, false, inPage), key, keyOffset, kvDim);
        layout.dtype().write(page, layout.offset(layer, true, inPage), value, valueOffset, kvDim);
        if (position + 1 > written[layer]) {
            written[layer] = position + 1;
        }
        if ((position + 1) % pagePositions == 0 && completedPositions() / pagePositions > publishedPages) {
            synchronized (arena) {
                publishLocked();
            }
        }
    }

    @Override
    public void readKeys(int layer, int from, int to, float[] dst, int dstOffset) {
        read(layer, false, from, to, dst, dstOffset);
    }

    @Override
    public void readValues(int layer, int from, int to, float[] dst, int dstOffset) {
        read(layer, true, from, to, dst, dstOffset);
    }

    private void read(int layer, boolean values, int from, int to, float[] dst, int dstOffset) {
        requireAccess(layer);
        if (from < 0 || from > to || to > written[layer]) {
            throw new IndexOutOfBoundsException("positions [" + from + ", " + to + ") of layer " + layer
                    + " of KV store " + id + ": only [0, " + written[layer] + ") are written");
        }
        int kvDim = layout.kvDim();
        if (dstOffset < 0 || (long) dstOffset + (long) (to - from) * kvDim > dst.length) {
            throw new IndexOutOfBoundsException("positions [" + from + ", " + to + ") do not fit in " + dst.length
                    + " floats from " + dstOffset);
        }
        KvDtype dtype = layout.dtype();
        int out = dstOffset;
        for (int position = from; position < to; ) {
            int inPage = position % pagePositions;
            int run = Math.min(to - position, pagePositions - inPage);
            dtype.read(segments[position / pagePositions], layout.offset(layer, values, inPage), dst, out, run * kvDim);
            out += run * kvDim;
            position += run;
        }
    }

    private void requireAccess(int layer) {
        if (pins == 0) {
            throw new IllegalStateException("KV store " + id + " is used without being pinned");
        }
        if (layer < 0 || layer >= written.length) {
            throw new IndexOutOfBoundsException("layer " + layer + " of a KV store with " + written.length + " layers");
        }
    }

    // ---- under the arena's lock ----

    /** Positions written in every layer. */
    private int completedPositions() {
        int completed = length;
        for (int w : written) {
            completed = Math.min(completed, w);
        }
        return completed;
    }

    private int commonPrefix(int[] prompt, int limit) {
        int n = 0;
        while (n < limit && tokens[n] == prompt[n]) {
            n++;
        }
        return n;
    }

    private PrefixKey chainKey(int parent, int[] source, int from) {
        int parentGeneration = parent == PrefixKey.ROOT ? 0 : arena.generation(parent);
        return new PrefixKey(parent, parentGeneration, Arrays.copyOfRange(source, from, from + pagePositions));
    }

    /** Offers every newly completed full page to the prefix cache, in order. */
    private void publishLocked() {
        int full = completedPositions() / pagePositions;
        while (publishedPages < full) {
            int i = publishedPages;
            int parent = i == 0 ? PrefixKey.ROOT : pages[i - 1];
            arena.register(pages[i], chainKey(parent, tokens, i * pagePositions));
            publishedPages++;
        }
        writableFrom = Math.max(writableFrom, publishedPages * pagePositions);
    }

    private void attachCachedPages(int[] prompt, int limit) {
        while (length + pagePositions <= limit) {
            int parent = pageCount == 0 ? PrefixKey.ROOT : pages[pageCount - 1];
            int page = arena.attach(chainKey(parent, prompt, length));
            if (page < 0) {
                break;
            }
            ensurePageSlots(pageCount + 1);
            setPage(pageCount++, page);
            ensureTokenSlots(length + pagePositions);
            System.arraycopy(prompt, length, tokens, length, pagePositions);
            length += pagePositions;
            Arrays.fill(written, length);
            publishedPages = pageCount;
            writableFrom = length;
        }
        if (length < limit) {
            int parent = pageCount == 0 ? PrefixKey.ROOT : pages[pageCount - 1];
            long start = arena.attachLongestStart(parent, prompt, length, Math.min(limit - length, pagePositions));
            if (start >= 0) {
                int matched = (int) start;
                ensurePageSlots(pageCount + 1);
                setPage(pageCount++, (int) (start >>> 32));
                ensureTokenSlots(length + matched);
                System.arraycopy(prompt, length, tokens, length, matched);
                length += matched;
                Arrays.fill(written, length);
                writableFrom = length;
            }
        }
    }

    /** Cuts to {@code newLength} written positions; nothing below it can be written afterwards. */
    private void truncateLocked(int newLength) {
        if (newLength == length) {
            return;
        }
        int keep = layout.pagesFor(newLength);
        for (int i = keep; i < pageCount; i++) {
            arena.release(pages[i]);
            segments[i] = null;
        }
        pageCount = keep;
        length = newLength;
        for (int l = 0; l < written.length; l++) {
            written[l] = Math.min(written[l], newLength);
        }
        publishedPages = Math.min(publishedPages, newLength / pagePositions);
        writableFrom = newLength;
    }

    /** Called by the arena, under its lock, on the least recently used idle store. */
    void evictLocked() {
        arena.markBusy(this);
        int count = pageCount;
        boolean spill = false;
        UncheckedIOException writeFailure = null;
        if (arena.canSpill(count)) {
            try {
                spillSlots = spillAll(count);
                spill = true;
            } catch (UncheckedIOException e) {
                writeFailure = e;
            }
        }
        releasePages();
        if (spill) {
            state = State.SPILLED;
        } else {
            forgetTokens();
        }
        arena.evicted(this, count, spill);
        if (writeFailure != null) {
            // the cache is lost as with a damaged page: the session recomputes it
            arena.restoreFailed(this, writeFailure.getMessage());
        }
    }

    /** The spill slots the first {@code count} pages were written to; on a write failure, none taken. */
    private int[] spillAll(int count) {
        int[] slots = new int[count];
        int written = 0;
        try {
            for (; written < count; written++) {
                slots[written] = arena.spillPage(pages[written]);
            }
        } catch (UncheckedIOException e) {
            for (int i = 0; i < written; i++) {
                arena.freeSlot(slots[i]);
            }
            throw e;
        }
        arena.spilled(count);
        return slots;
    }

    private void restoreLocked() throws KvCacheFullException {
        int count = spillSlots.length;
        // check every page before taking memory, so a damaged file costs no other store its pages
        for (int i = 0; i < count; i++) {
            if (!arena.spillIntact(spillSlots[i])) {
                dropDamaged(i);
                return;
            }
        }
        int[] fresh = allocate(count);
        for (int i = 0; i < count; i++) {
            if (!arena.restorePage(spillSlots[i], fresh[i])) {
                for (int page : fresh) {
                    arena.release(page);
                }
                dropDamaged(i);
                return;
            }
        }
        freeSpillSlots();
        ensurePageSlots(count);
        for (int i = 0; i < count; i++) {
            setPage(i, fresh[i]);
        }
        pageCount = count;
        state = State.RESIDENT;
        arena.restored(count);
        // the copies are new pages: offer them to the prefix cache again
        publishedPages = 0;
        publishLocked();
    }

    private void dropDamaged(int page) {
        freeSpillSlots();
        forgetTokens();
        state = State.RESIDENT;
        arena.restoreFailed(this, "spilled page " + page + " (positions " + page * pagePositions + "..) failed its"
                + " CRC32C check or could not be read");
    }

    /** {@code count} fresh pages, or none and an exception. */
    private int[] allocate(int count) throws KvCacheFullException {
        int[] fresh = new int[count];
        for (int i = 0; i < count; i++) {
            try {
                fresh[i] = arena.allocate(this, count - i);
            } catch (KvCacheFullException e) {
                for (int j = 0; j < i; j++) {
                    arena.release(fresh[j]);
                }
                throw e;
            }
        }
        return fresh;
    }

    private void releasePages() {
        for (int i = 0; i < pageCount; i++) {
            arena.release(pages[i]);
            segments[i] = null;
        }
        pageCount = 0;
    }

    private void freeSpillSlots() {
        for (int slot : spillSlots) {
            arena.freeSlot(slot);
        }
        spillSlots = new int[0];
    }

    /** The cache is gone: the owner must compute everything again. */
    private void forgetTokens() {
        length = 0;
        Arrays.fill(written, 0);
        writableFrom = 0;
        publishedPages = 0;
    }

    private void setPage(int index, int page) {
        pages[index] = page;
        segments[index] = arena.segment(page);
    }

    private void ensurePageSlots(int count) {
        if (count > pages.length) {
            int size = Math.max(count, pages.length * 2);
            pages = Arrays.copyOf(pages, size);
            segments = Arrays.copyOf(segments, size);
        }
    }

    private void ensureTokenSlots(int count) {
        if (count > tokens.length) {
            tokens = Arrays.copyOf(tokens, Math.max(count, tokens.length * 2));
        }
    }

    private void requirePinned() {
        requireOpen();
        if (pins == 0) {
            throw new IllegalStateException("KV store " + id + " must be pinned for this");
        }
    }

    private void requireOpen() {
        if (state == State.CLOSED) {
            throw new IllegalStateException("KV store " + id + " is closed");
        }
    }

    /** The arena closed under it. */
    void arenaClosed() {
        pageCount = 0;
        spillSlots = new int[0];
        forgetTokens();
        state = State.CLOSED;
    }

    // ---- for the arena's integrity check ----

    int[] residentPages() {
        return Arrays.copyOf(pages, pageCount);
    }

    int[] spillSlots() {
        return spillSlots.clone();
    }
}
