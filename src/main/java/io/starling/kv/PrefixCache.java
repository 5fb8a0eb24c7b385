package io.starling.kv;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Full pages findable by the tokens they hold (see {@link PrefixKey}), vLLM's prefix caching: a page stays
 * registered while sequences use it and, once none does, is parked here until its memory is needed, oldest
 * first, so a system prompt shared by requests that come one after another is computed once.
 *
 * <p>Pages are also grouped by the page before them, so that a prompt which ends inside a page (or must leave its
 * last token to the model) can still take the leading positions of a cached page that starts like it, as
 * llama-server's slots reuse any common prefix: a repeated 15-token prompt with 16-position pages is then one
 * position of prefill, not fifteen.
 *
 * <p>Not thread-safe: the arena calls it under its lock.
 */
final class PrefixCache {

    private final Map<PrefixKey, Integer> pageByKey = new HashMap<>();
    private final PrefixKey[] keyOfPage;
    private final Map<Long, List<Integer>> pagesByParent = new HashMap<>();
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
            pagesByParent.computeIfAbsent(key.parent(), p -> new ArrayList<>(2)).add(page);
        }
    }

    /**
     * Among the pages registered after {@code parent} ({@link PrefixKey#parentOf}), the one whose leading tokens
     * match {@code source[from ..]} longest, at most {@code max} of them: {@code page << 32 | matched}, or -1 when
     * none matches even one token.
     */
    long longestStart(long parent, int[] source, int from, int max) {
        List<Integer> pages = pagesByParent.get(parent);
        if (pages == null) {
            return -1;
        }
        int best = -1;
        int matched = 0;
        for (int page : pages) {
            int n = keyOfPage[page].commonStart(source, from, max);
            if (n > matched) {
                best = page;
                matched = n;
            }
        }
        return best < 0 ? -1 : (long) best << 32 | matched;
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
            List<Integer> siblings = pagesByParent.get(key.parent());
            siblings.remove(Integer.valueOf(page));
            if (siblings.isEmpty()) {
                pagesByParent.remove(key.parent());
            }
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
