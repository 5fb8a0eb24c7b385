package io.starling.engine;

import io.starling.kv.KvCacheFullException;
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
     * cache; a session continuing a conversation, or a prompt sharing a cached prefix, may hold part of the prompt.
     */
    int reusedPositions();

    /**
     * Makes room for {@code tokens} at the next positions, before the step that writes them. Memory is taken here
     * rather than inside the model's forward pass, so a full cache stops a sequence before a batch runs.
     *
     * @throws KvCacheFullException if the memory cannot be found now; nothing changed, the sequence may retry
     */
    void reserve(int[] tokens) throws KvCacheFullException;

    /**
     * The sequence is done with the cache. {@code transcript} is every token of a sequence that ended normally,
     * prompt and generated (the last generated one never went through the model, so it is not in the cache), or
     * null when it was stopped (failed, cancelled, timed out): a session keeps a transcript for its next turn and
     * stays as it was after a stopped one, so the client can retry the turn; a one-off cache just frees its memory.
     */
    void release(int[] transcript);
}
