package io.starling.engine;

/**
 * Where the scheduler gets KV caches for its sequences: the seam between batching and KV memory. Today's
 * implementation gives every sequence its own contiguous store ({@link ContiguousKvCaches}); the paged arena and
 * the session registry plug in here without the scheduler changing. Called on the engine loop thread only, except
 * {@link #check}.
 */
public interface KvCaches {

    /**
     * Refuses, on the caller's thread and before admission, a request this implementation cannot serve (a
     * {@code session_id} where no sessions exist): an {@link IllegalArgumentException} the API answers with 400.
     */
    void check(GenerationRequest request);

    /**
     * A cache for the first sequence of {@code request}, able to hold {@code capacity} positions; a session's
     * cache may already hold a prefix of the prompt ({@link KvCache#reusedPositions}).
     */
    KvCache open(GenerationRequest request, int capacity);

    /**
     * A cache for another sequence of the same prompt whose first {@code positions} positions equal those of
     * {@code prompt}: copied, or shared where the implementation can (pages of a paged arena).
     */
    KvCache fork(KvCache prompt, int positions, int capacity);

    /** Caches opened or forked and not released yet: 0 whenever nothing runs, or something leaked. */
    int live();
}
