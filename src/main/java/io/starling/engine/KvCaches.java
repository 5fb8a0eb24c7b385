package io.starling.engine;

import io.starling.kv.KvCacheFullException;
import io.starling.model.Warmup;

/**
 * Where the scheduler gets KV caches for its sequences: the seam between batching and KV memory, implemented by
 * {@link PagedKvCaches} (the paged arena and the sessions). Called on the engine loop thread only, except
 * {@link #check} and {@link #abandon}.
 */
public interface KvCaches {

    /**
     * Refuses, on the caller's thread and before admission, a request this implementation cannot serve (a
     * {@code session_id} that was not acquired for it): an {@link IllegalArgumentException} the API answers with 400.
     */
    void check(GenerationRequest request);

    /**
     * A cache for the first sequence of {@code request}, able to hold {@code capacity} positions; it may already hold
     * a prefix of the prompt ({@link KvCache#reusedPositions}): a session's earlier turns, or pages other requests
     * computed for the same tokens.
     */
    KvCache open(GenerationRequest request, int capacity);

    /**
     * A cache for another sequence of the same prompt whose first {@code positions} positions equal those of
     * {@code prompt}, written by the step that just ran: full pages are shared, not copied.
     *
     * @throws KvCacheFullException if the memory for the copied part cannot be found now
     */
    KvCache fork(KvCache prompt, int positions, int capacity) throws KvCacheFullException;

    /** {@code request} ended before {@link #open} (cancelled or timed out in the queue): give back what it held. */
    void abandon(GenerationRequest request);

    /**
     * KV stores for the model's warm-up, of the kind {@link #open} hands out but outside its memory, so that the
     * warm-up compiles the forward pass requests will run and takes nothing from them.
     */
    Warmup.Stores warmupStores();

    /** Caches opened or forked and not released yet: 0 whenever nothing runs, or something leaked. */
    int live();

    /** Frees the memory behind every cache; called once the engine loop has ended, so no step reads it any more. */
    void close();
}
