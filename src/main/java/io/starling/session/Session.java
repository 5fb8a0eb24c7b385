package io.starling.session;

import io.starling.kv.PagedKvStore;
import java.time.Instant;

/**
 * A conversation kept between requests: an id the client sends back and the KV cache of everything said so far
 * ({@link PagedKvStore#tokens()} tells which tokens), so the next turn only computes what is new. The
 * {@link SessionRegistry} decides when it lives and dies; while a request runs on it, it is pinned there.
 */
public final class Session {

    private final String id;
    private final PagedKvStore kv;
    private final Instant created;
    /** Every token of the conversation so far; the last may not be in {@link #kv} yet (it was never fed back). */
    private volatile int[] transcript = new int[0];
    // guarded by the registry's lock
    private Instant lastUsed;
    private boolean inFlight;
    private boolean closed;

    Session(String id, PagedKvStore kv, Instant created) {
        this.id = id;
        this.kv = kv;
        this.created = created;
        this.lastUsed = created;
    }

    public String id() {
        return id;
    }

    /** The session's KV cache; pinned while the session is acquired. */
    public PagedKvStore kv() {
        return kv;
    }

    /** The conversation so far, prompts and replies, as token ids: what the next turn continues. */
    public int[] transcript() {
        return transcript.clone();
    }

    /** A turn ended: {@code tokens} is the whole conversation now, of which {@link #kv} holds a prefix. */
    public void keep(int[] tokens) {
        transcript = tokens.clone();
    }

    public Instant created() {
        return created;
    }

    Instant lastUsed() {
        return lastUsed;
    }

    void touch(Instant now) {
        lastUsed = now;
    }

    /** Whether a request runs on it (acquired and not yet released). */
    boolean pinned() {
        return inFlight;
    }

    void pin() {
        inFlight = true;
    }

    void unpin() {
        if (!inFlight) {
            throw new IllegalStateException("session " + id + " released without being acquired");
        }
        inFlight = false;
    }

    /** Whether the session was closed or expired (a running request may still hold it). */
    public boolean closed() {
        return closed;
    }

    void markClosed() {
        closed = true;
    }

    @Override
    public String toString() {
        return "Session[" + id + "]";
    }
}
