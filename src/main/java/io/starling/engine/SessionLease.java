package io.starling.engine;

import io.starling.session.Session;

/**
 * A session acquired for one request: pinned (no other request, no expiry, no eviction) until the request's cache
 * is released, the request ends without running, or the submitter gives it back with {@link #cancel}.
 */
public final class SessionLease {

    private final Session session;
    private final PagedKvCaches owner;

    SessionLease(Session session, PagedKvCaches owner) {
        this.session = session;
        this.owner = owner;
    }

    public String id() {
        return session.id();
    }

    /** The conversation so far, which the request's prompt continues. */
    public int[] transcript() {
        return session.transcript();
    }

    Session session() {
        return session;
    }

    /** The request was not submitted after all: the session is free again. Harmless once the request took it. */
    public void cancel() {
        owner.giveBack(this);
    }
}
