package io.starling.engine;

/** Something admitted to the engine queue: a generation or an embedding. Ends exactly once, on the loop thread. */
sealed interface QueuedWork permits RequestRun, EmbeddingRun {

    /** Who asked: the queue shares the engine fairly between tenants. */
    String tenant();

    /** Interactive work is taken first; background work only when none waits. */
    Priority priority();

    /** Batch slots (sequences) it holds while it runs. */
    int slots();

    /** The client went away. */
    boolean cancelled();

    boolean expired(long nowNanos);

    /** Ends it with an error (timeout, shutdown, engine failure) and frees what it holds. */
    void fail(Throwable error);

    /** Ends it quietly after a cancellation and frees what it holds. */
    void abandon();
}
