package io.starling.kv;

/**
 * The arena has no page to give: every page is held by pinned (in-flight) sequences and nothing idle is left to
 * evict. Nothing was changed by the call that threw it; the caller can wait for a sequence to finish or refuse the
 * request (429).
 */
public final class KvCacheFullException extends Exception {

    private final int pagesWanted;

    KvCacheFullException(int pagesWanted, int totalPages, long capacityBytes) {
        // no stack trace: a sequence that cannot reserve sits the step out and retries, so this is flow control
        super("KV cache full: " + pagesWanted + " more page(s) needed but all " + totalPages + " pages ("
                + capacityBytes / (1024 * 1024) + " MiB) are held by in-flight sequences", null, false, false);
        this.pagesWanted = pagesWanted;
    }

    /** Pages the failed call needed beyond what could be found. */
    public int pagesWanted() {
        return pagesWanted;
    }
}
