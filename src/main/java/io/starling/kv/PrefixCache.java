package io.starling.kv;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;

/**
 * Full pages findable by the tokens they hold (see {@link PrefixKey}), vLLM's prefix caching: a page stays
 * registered while sequences use it and, once none does, is parked here until its memory is needed, oldest
 * first, so a system prompt shared by requests that come one after another is computed once.
 *
 * <p>Not thread-safe: the arena calls it under its lock.
 */
final class PrefixCache {

    private final Map<PrefixKey, Integer> pageByKey = new HashMap<>();
    private final PrefixKey[] keyOfPage;
    /** Registered pages no sequence holds, least recently released first. */
    private final LinkedHashSet<Integer> parked = new LinkedHashSet<>();

    PrefixCache(int pages) {
        this.keyOfPage = new PrefixKey[pages];
    }

    /** The page registered under {@code key}, or -1. */
    int find(PrefixKey key) {
        Integer page = pageByKey.get(key);
        return page == null ? -1 : page;
    }

    /** Registers {@code page} under {@code key} unless another page already holds that content. */
    void register(int page, PrefixKey key) {
        if (keyOfPage[page] == null && pageByKey.putIfAbsent(key, page) == null) {
            keyOfPage[page] = key;
        }
    }

    boolean registered(int page) {
        return keyOfPage[page] != null;
    }

    /** Forgets {@code page}'s content (it is about to change or be reused). */
    void unregister(int page) {
        PrefixKey key = keyOfPage[page];
        if (key != null) {
            pageByKey.remove(key);
            keyOfPage[page] = null;
            parked.remove(page);
        }
    }

    /** {@code page}, registered, lost its last owner: keep it for later hits. */
    void park(int page) {
        parked.add(page);
    }

    /** A parked page found a new owner. */
    void unpark(int page) {
        parked.remove(page);
    }

    boolean isParked(int page) {
        return parked.contains(page);
    }

    /** Unregisters and returns the least recently parked page, or -1 when none is parked. */
    int reclaimOldest() {
        Iterator<Integer> oldest = parked.iterator();
        if (!oldest.hasNext()) {
            return -1;
        }
        int page = oldest.next();
        unregister(page);
        return page;
    }

    int parkedCount() {
        return parked.size();
    }
}
