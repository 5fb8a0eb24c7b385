package io.starling.session;

import io.starling.kv.KvArena;
import io.starling.kv.KvCacheFullException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The sessions of one model: unique ids, at most {@code maxSessions} at once, each expiring after {@code ttl}
 * without use, each owning one {@link io.starling.kv.PagedKvStore} in the model's {@link KvArena}.
 *
 * <p>A request on a session runs between {@link #acquire} and {@link #release}: acquiring pins the session (it
 * neither expires nor loses its KV pages to eviction) and its store; releasing unpins both and restarts its TTL.
 * One request at a time: a second acquire while the first runs is refused.
 * While idle, the session's pages may be evicted by the arena under memory pressure (spilled or dropped; the
 * session itself stays and the next request recomputes what was lost). {@link #close} and expiry free the
 * session's pages and spill slots at once, or when its running request releases it.
 *
 * <pre>{@code
 * Session s = registry.create();                 // or registry.acquire(id) for a later turn
 * registry.acquire(s.id());                      // pin (may restore spilled pages)
 * int reused = s.kv().reuse(prompt);             // feed prompt[reused ..]
 * ...                                            // reserve + forward, as KvArena describes
 * registry.release(s);
 * }</pre>
 *
 * <p>Expiry happens lazily in {@link #create} and {@link #acquire}; the server should also call {@link #expire}
 * periodically so idle sessions do not hold memory past their TTL. Thread-safe.
 */
public final class SessionRegistry {

    private final KvArena arena;
    private final int maxSessions;
    private final Duration ttl;
    private final InstantSource clock;
    private final int positions;
    private final Map<String, Session> sessions = new HashMap<>();
    private long expired;

    /**
     * @param positions the KV capacity of each session (the model's context length)
     */
    public SessionRegistry(KvArena arena, int maxSessions, Duration ttl, InstantSource clock, int positions) {
        if (maxSessions < 0) {
            throw new IllegalArgumentException("max sessions cannot be negative: " + maxSessions);
        }
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("a session TTL must be positive: " + ttl);
        }
        if (positions <= 0) {
            throw new IllegalArgumentException("sessions need a positive KV capacity: " + positions);
        }
        this.arena = arena;
        this.maxSessions = maxSessions;
        this.ttl = ttl;
        this.clock = clock;
        this.positions = positions;
    }

    /**
     * A new session with an empty cache, not yet acquired.
     *
     * @throws SessionLimitException if {@code maxSessions} are open and none has expired
     */
    public synchronized Session create() throws SessionLimitException {
        Instant now = clock.instant();
        expireAt(now);
        if (sessions.size() >= maxSessions) {
            throw new SessionLimitException(maxSessions);
        }
        String id;
        do {
            id = "sess-" + UUID.randomUUID();
        } while (sessions.containsKey(id));
        Session session = new Session(id, arena.newStore(positions), now);
        sessions.put(id, session);
        return session;
    }

    /** The open session with this id, without pinning it or counting it as use. */
    public synchronized Optional<Session> find(String id) {
        Session session = sessions.get(id);
        return session == null || isExpired(session, clock.instant()) ? Optional.empty() : Optional.of(session);
    }

    /**
     * Pins the session for a request: it will not expire and its store is pinned (spilled pages are read back).
     *
     * @throws UnknownSessionException if no open session has this id
     * @throws SessionBusyException     if another request holds it
     * @throws KvCacheFullException     if its spilled pages cannot be read back now; nothing is pinned
     */
    public synchronized Session acquire(String id)
            throws UnknownSessionException, SessionBusyException, KvCacheFullException {
        Instant now = clock.instant();
        expireAt(now);
        Session session = sessions.get(id);
        if (session == null) {
            throw new UnknownSessionException(id);
        }
        if (session.pinned()) {
            throw new SessionBusyException(id);
        }
        session.kv().pin();
        session.pin();
        session.touch(now);
        return session;
    }

    /** Ends a request on the session: unpins it and its store and restarts its TTL. */
    public synchronized void release(Session session) {
        session.unpin();
        session.touch(clock.instant());
        session.kv().unpin();
    }

    /**
     * Closes the session: its id is gone at once; its pages are freed now, or when its running request releases it.
     *
     * @return whether an open session had this id
     */
    public synchronized boolean close(String id) {
        Session session = sessions.remove(id);
        if (session == null) {
            return false;
        }
        closeSession(session);
        return true;
    }

    /** Closes every session idle for longer than the TTL and returns how many. Pinned sessions never expire. */
    public synchronized int expire() {
        return expireAt(clock.instant());
    }

    private int expireAt(Instant now) {
        List<Session> stale = new ArrayList<>();
        for (Session session : sessions.values()) {
            if (isExpired(session, now)) {
                stale.add(session);
            }
        }
        for (Session session : stale) {
            sessions.remove(session.id());
            closeSession(session);
        }
        expired += stale.size();
        return stale.size();
    }

    private boolean isExpired(Session session, Instant now) {
        return !session.pinned() && session.lastUsed().plus(ttl).isBefore(now);
    }

    private void closeSession(Session session) {
        session.markClosed();
        session.kv().close();
    }

    /** Open sessions (a gauge). */
    public synchronized int size() {
        return sessions.size();
    }

    /** Sessions closed by expiry so far (a counter). */
    public synchronized long expiredCount() {
        return expired;
    }

    public int maxSessions() {
        return maxSessions;
    }

    public Duration ttl() {
        return ttl;
    }
}
