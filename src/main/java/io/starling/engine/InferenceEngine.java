package io.starling.engine;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.starling.kv.KvCacheFullException;
import io.starling.kv.KvCacheStats;
import io.starling.session.SessionBusyException;
import io.starling.session.SessionLimitException;
import io.starling.session.UnknownSessionException;

/**
 * The engine of one served model version: its {@link Scheduler} and its paged KV cache and sessions
 * ({@link PagedKvCaches}), made together from the model's text tools and settings. REST threads only enqueue and
 * consume the returned {@link Multi} / {@link Uni}; the scheduler's loop thread owns the model. Plain Java: the
 * registry makes one per deployment and closes it when the deployment is unloaded.
 */
public final class InferenceEngine implements AutoCloseable {

    private final SchedulerSettings settings;
    private final PagedKvCaches caches;
    private final Scheduler scheduler;

    /** Allocates nothing up front: the KV arena takes memory in slabs as sequences grow, up to its cap. */
    public InferenceEngine(ModelText.Text text, SchedulerSettings settings, KvSettings kvSettings, EngineMetrics metrics) {
        this.settings = settings;
        this.caches = kvSettings.cachesFor(text.model().shape(), text.contextLength());
        this.scheduler = new Scheduler(text, settings, caches, metrics);
    }

    /** See {@link Scheduler#submit}: 429 on a full queue, events per token, cancellation, the request timeout. */
    public Multi<GenerationEvent> submit(GenerationRequest request) {
        return scheduler.submit(request);
    }

    /** A job of a batch: see {@link Scheduler#submit(GenerationRequest, Priority)}. */
    public Multi<GenerationEvent> submitBackground(GenerationRequest request) {
        return scheduler.submit(request, Priority.BACKGROUND);
    }

    /** An embedding of a batch job, at background priority. */
    public Uni<float[]> embedBackground(int[] tokens, String tenant) {
        return scheduler.embed(tokens, tenant, Priority.BACKGROUND);
    }

    /** The sentence embedding of {@code tokens}, computed on the engine loop between steps. */
    public Uni<float[]> embed(int[] tokens) {
        return scheduler.embed(tokens, GenerationRequest.ANONYMOUS);
    }

    /** A new, empty session of this model. */
    public String createSession() throws SessionLimitException {
        return caches.createSession();
    }

    /**
     * Pins session {@code id} for the request about to be submitted with it ({@link GenerationRequest#withSession});
     * if that submission does not happen or throws, the caller gives the lease back ({@link SessionLease#cancel}).
     */
    public SessionLease acquireSession(String id)
            throws UnknownSessionException, SessionBusyException, KvCacheFullException {
        return caches.acquire(id);
    }

    /** Closes session {@code id}; false if no open session has it. */
    public boolean closeSession(String id) {
        return caches.closeSession(id);
    }

    /** Closes the sessions unused for longer than their TTL. */
    public void expireSessions() {
        caches.expireSessions();
    }

    public int openSessions() {
        return caches.openSessions();
    }

    public KvCacheStats kvStats() {
        return caches.stats();
    }

    /** Requests waiting for the engine now. */
    public int queueDepth() {
        return scheduler.queueDepth();
    }

    /** Interactive requests refused because the queue was full, since the engine started. */
    public long queueRefusals() {
        return scheduler.queueRefusals();
    }

    /** The most requests that may wait; one more is refused. */
    public int maxQueueDepth() {
        return settings.maxQueueDepth();
    }

    /** Requests and embeddings admitted and not ended yet, queued or running. */
    public int inFlight() {
        return scheduler.inFlight();
    }

    /** Requests cancelled so far, running or before they started. */
    public long cancelledJobs() {
        return scheduler.cancelledJobs();
    }

    /** Whether any generation is running now. */
    public boolean busy() {
        return scheduler.busy();
    }

    /**
     * Stops the loop after its current step and fails whatever was left, then frees the KV arena (see
     * {@link Scheduler#close}); true when the loop thread has ended, so the model's memory may be unmapped.
     */
    public boolean stop() {
        scheduler.close();
        return scheduler.stopped();
    }

    @Override
    public void close() {
        stop();
    }
}
