package io.starling.engine;

import io.starling.model.KvStore;

/**
 * The KV cache of one running sequence, as the scheduler holds it. Handed out by {@link KvCaches}; the engine loop
 * is the only thread that touches it.
 */
public interface KvCache {

    /** Where the model reads and writes this sequence's keys and values. */
    KvStore store();

    /**
     * Leading prompt positions already in the cache when it was opened, whose prefill is skipped: 0 for a fresh
     * cache; a session continuing a conversation may hold a prefix of the new prompt.
     */
    int reusedPositions();

    /**
     * The sequence is done with the cache. {@code tokens} are the ids at positions {@code [0, tokens.length)} of the
     * store, so a session can keep them for the next request; a one-off cache just frees its memory.
     */
    void release(int[] tokens);
}
