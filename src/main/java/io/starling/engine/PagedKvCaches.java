package io.starling.engine;

import io.starling.kv.KvArena;
import io.starling.kv.KvCacheFullException;
import io.starling.kv.KvCacheStats;
import io.starling.kv.PagedKvStore;
import io.starling.model.KvStore;
import io.starling.model.Warmup;
import io.starling.session.Session;
import io.starling.session.SessionBusyException;
import io.starling.session.SessionLimitException;
import io.starling.session.SessionRegistry;
import io.starling.session.UnknownSessionException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The KV caches of one model in its {@link KvArena}, and its sessions. A one-off sequence gets a new store, pinned
 * while it runs, that first takes whatever full pages of its prompt the arena's prefix cache holds; a session's
 * request runs on the session's own store, which keeps the conversation between turns. Forks for {@code n > 1}
 * share the prompt's full pages. Released stores are closed (their registered pages stay in the prefix cache until
 * memory is needed); a session's store is unpinned and so becomes evictable, least recently used first.
 *
 * <p>A session is acquired on the submitting thread ({@link #acquire}), before its request is built, because the
 * request's prompt is the session's transcript plus the new tokens; the lease then travels with the request by
 * session id and is given back when its cache is released, or by {@link #abandon} if it never ran.
 */
public final class PagedKvCaches implements KvCaches, AutoCloseable {

    private final KvArena arena;
    private final SessionRegistry sessions;
    private final Map<String, SessionLease> leased = new ConcurrentHashMap<>();
    private final AtomicInteger live = new AtomicInteger();

    public PagedKvCaches(KvArena arena, SessionRegistry sessions) {
        this.arena = arena;
        this.sessions = sessions;
    }

    // ---- sessions, on request threads

    /** A new, empty session. */
    public String createSession() throws SessionLimitException {
        return sessions.create().id();
    }

    /**
     * Pins session {@code id} for one request: its transcript is what the request continues. Give it back with
     * {@link SessionLease#cancel} if the request is not submitted after all.
     */
    public SessionLease acquire(String id) throws UnknownSessionException, SessionBusyException, KvCacheFullException {
        Session session = sessions.acquire(id);
        SessionLease lease = new SessionLease(session, this);
        leased.put(id, lease);
        return lease;
    }

    /** Closes session {@code id} now (its pages are freed when its running request, if any, ends). */
    public boolean closeSession(String id) {
        return sessions.close(id);
    }

    /** Closes sessions idle beyond their TTL; returns how many. */
    public int expireSessions() {
        return sessions.expire();
    }

    public int openSessions() {
        return sessions.size();
    }

    public KvCacheStats stats() {
        return arena.stats();
    }

    /** The arena's bookkeeping is consistent (see {@link KvArena#verifyIntegrity}); for tests. */
    public void verifyIntegrity() {
        arena.verifyIntegrity();
    }

    /** Releases the lease unless its request already did (or another thread is doing it). */
    void giveBack(SessionLease lease) {
        if (leased.remove(lease.id(), lease)) {
            sessions.release(lease.session());
        }
    }

    // ---- the scheduler's seam

    @Override
    public void check(GenerationRequest request) {
        if (request.sessionId() == null) {
            return;
        }
        if (!leased.containsKey(request.sessionId())) {
            throw new IllegalArgumentException("session_id: session '" + request.sessionId() + "' was not acquired");
        }
        if (request.n() != 1 || request.promptLogprobs() >= 0) {
            throw new IllegalArgumentException("a session continues one sequence: n must be 1, without prompt scoring");
        }
    }

    @Override
    public KvCache open(GenerationRequest request, int capacity) {
        int[] prompt = request.prompt();
        if (request.sessionId() != null) {
            SessionLease lease = leased.get(request.sessionId());
            if (lease == null) {
                throw new IllegalStateException("session " + request.sessionId() + " is not leased to this request");
            }
            PagedKvStore store = lease.session().kv();
            return new SessionCache(lease, store, store.reuse(prompt));
        }
        PagedKvStore store = arena.newStore(capacity);
        try {
            store.pin();
        } catch (KvCacheFullException e) {
            throw new IllegalStateException("a new KV store has nothing to restore", e);
        }
        // scored prompts feed every position through the model: their logits are the point
        int reused = request.promptLogprobs() >= 0 ? 0 : store.reuse(prompt);
        return new OneOffCache(store, reused);
    }

    @Override
    public Warmup.Stores warmupStores() {
        return new WarmupKvStores(arena.layout());
    }

    @Override
    public KvCache fork(KvCache prompt, int positions, int capacity) throws KvCacheFullException {
        PagedKvStore source = ((Cache) prompt).store;
        if (source.length() != positions) {
            throw new IllegalStateException("fork of " + positions + " positions from a store of " + source.length());
        }
        return new OneOffCache(source.fork(), 0);
    }

    @Override
    public void abandon(GenerationRequest request) {
        if (request.sessionId() != null) {
            SessionLease lease = leased.get(request.sessionId());
            if (lease != null) {
                giveBack(lease);
            }
        }
    }

    @Override
    public int live() {
        return live.get();
    }

    /** Frees the arena's memory and deletes its spill file. */
    @Override
    public void close() {
        arena.close();
    }

    private abstract class Cache implements KvCache {
        final PagedKvStore store;
        private final int reused;
        private boolean released;

        Cache(PagedKvStore store, int reused) {
            this.store = store;
            this.reused = reused;
            live.incrementAndGet();
        }

        @Override
        public KvStore store() {
            return store;
        }

        @Override
        public int reusedPositions() {
            return reused;
        }

        @Override
        public void reserve(int[] tokens) throws KvCacheFullException {
            store.reserve(tokens);
        }

        @Override
        public void release(int[] transcript) {
            if (released) {
                throw new IllegalStateException("a KV cache was released twice");
            }
            released = true;
            live.decrementAndGet();
            free(transcript);
        }

        abstract void free(int[] transcript);
    }

    private final class OneOffCache extends Cache {
        OneOffCache(PagedKvStore store, int reused) {
            super(store, reused);
        }

        @Override
        void free(int[] transcript) {
            store.close();
            store.unpin();
        }
    }

    private final class SessionCache extends Cache {
        private final SessionLease lease;

        SessionCache(SessionLease lease, PagedKvStore store, int reused) {
            super(store, reused);
            this.lease = lease;
        }

        @Override
        void free(int[] transcript) {
            if (transcript != null) {
                lease.session().keep(transcript);
            }
            giveBack(lease);
        }
    }
}
