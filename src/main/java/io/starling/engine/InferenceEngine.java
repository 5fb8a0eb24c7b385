package io.starling.engine;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.starling.config.StarlingConfig;
import io.starling.kv.KvCacheFullException;
import io.starling.kv.KvCacheStats;
import io.starling.session.SessionBusyException;
import io.starling.session.SessionLimitException;
import io.starling.session.UnknownSessionException;
import io.starling.telemetry.StarlingMetrics;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The server's engine bean: the {@link Scheduler} of the served model and its paged KV cache and sessions
 * ({@link PagedKvCaches}), made at start-up once the registry has the model (or on first use), with meters wired to
 * {@link StarlingMetrics} and a timer that closes sessions past their TTL. REST threads only enqueue and consume the
 * returned {@link Multi} / {@link Uni}; the scheduler's loop thread owns the model.
 */
@ApplicationScoped
public class InferenceEngine {

    private final ModelText modelText;
    private final SchedulerSettings settings;
    private final KvSettings kvSettings;
    private final StarlingMetrics metrics;
    private final ScheduledExecutorService expiry = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("starling-session-expiry").daemon(true).factory());
    private volatile Scheduler scheduler;
    private volatile PagedKvCaches caches;
    private boolean stopped;

    InferenceEngine(ModelText modelText, StarlingConfig config, StarlingMetrics metrics) {
        this.modelText = modelText;
        StarlingConfig.Scheduler s = config.scheduler();
        this.settings = new SchedulerSettings(s.maxQueueDepth(), s.maxBatchSize(), s.maxBatchTokens(),
                s.requestTimeoutMs(), s.threads(), s.tenantWeights());
        StarlingConfig.Kv kv = config.kv();
        this.kvSettings = KvSettings.ofMegabytes(kv.cacheMb(), kv.pagePositions(), kv.dtype(), kv.spillPath(),
                kv.spillMb(), config.sessions().max(), Duration.ofSeconds(config.sessions().ttlSeconds()));
        this.metrics = metrics;
    }

    /**
     * After the registry has loaded the model (later priority): the scheduler and KV arena now, so a KV setting that
     * cannot work stops the server at start; the gauges labelled with the model; the session expiry timer.
     */
    void onStart(@Observes @Priority(Interceptor.Priority.APPLICATION + 1000) StartupEvent event) {
        registryModelId().ifPresent(id -> {
            scheduler();
            metrics.queueDepth(id, this::queueDepth);
        });
        metrics.kvCache(this::kvStats, () -> caches == null ? 0 : caches.openSessions());
        long period = Math.clamp(kvSettings.sessionTtl().toMillis() / 4, 250, 60_000);
        expiry.scheduleAtFixedRate(this::expireSessions, period, period, TimeUnit.MILLISECONDS);
    }

    private void expireSessions() {
        PagedKvCaches current = caches;
        if (current != null) {
            try {
                current.expireSessions();
            } catch (RuntimeException e) {
                // a failed sweep must not cancel the timer: the next one retries
                Log.errorf(e, "session expiry failed");
            }
        }
    }

    private KvCacheStats kvStats() {
        PagedKvCaches current = caches;
        return current == null ? new KvCacheStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0) : current.stats();
    }

    private Optional<String> registryModelId() {
        try {
            return Optional.of(modelText.get().model().id());
        } catch (ModelUnavailableException e) {
            return Optional.empty();
        }
    }

    /** See {@link Scheduler#submit}: 429 on a full queue, events per token, cancellation, the request timeout. */
    public Multi<GenerationEvent> submit(GenerationRequest request) {
        return scheduler().submit(request);
    }

    /** The sentence embedding of {@code tokens}, computed on the engine loop between steps. */
    public Uni<float[]> embed(int[] tokens) {
        return scheduler().embed(tokens, GenerationRequest.ANONYMOUS);
    }

    /** A new, empty session of the served model. */
    public String createSession() throws SessionLimitException {
        return caches().createSession();
    }

    /**
     * Pins session {@code id} for the request about to be submitted with it ({@link GenerationRequest#withSession});
     * if that submission does not happen or throws, the caller gives the lease back ({@link SessionLease#cancel}).
     */
    public SessionLease acquireSession(String id)
            throws UnknownSessionException, SessionBusyException, KvCacheFullException {
        return caches().acquire(id);
    }

    /** Closes session {@code id}; false if no open session has it. */
    public boolean closeSession(String id) {
        return caches().closeSession(id);
    }

    /** Requests waiting for the engine now. */
    public int queueDepth() {
        Scheduler current = scheduler;
        return current == null ? 0 : current.queueDepth();
    }

    /** The most requests that may wait; one more is refused. */
    public int maxQueueDepth() {
        return settings.maxQueueDepth();
    }

    /** Requests cancelled so far, running or before they started. */
    public long cancelledJobs() {
        Scheduler current = scheduler;
        return current == null ? 0 : current.cancelledJobs();
    }

    /** Whether any generation is running now. */
    public boolean busy() {
        Scheduler current = scheduler;
        return current != null && current.busy();
    }

    private PagedKvCaches caches() {
        scheduler();
        return caches;
    }

    private Scheduler scheduler() {
        Scheduler current = scheduler;
        if (current == null) {
            synchronized (this) {
                if (stopped) {
                    throw new ModelUnavailableException();
                }
                current = scheduler;
                if (current == null) {
                    ModelText.Text text = modelText.get();
                    PagedKvCaches made = kvSettings.cachesFor(text.model().shape(), text.contextLength());
                    caches = made;
                    current = new Scheduler(text, settings, made, new Meters());
                    scheduler = current;
                }
            }
        }
        return current;
    }

    /** The scheduler's reports as Prometheus meters. */
    private final class Meters implements EngineMetrics {
        @Override
        public void step(int sequences, int tokens) {
            metrics.batchSize(sequences);
        }

        @Override
        public void token(long nanosSincePrevious, boolean first) {
            metrics.token(nanosSincePrevious, first);
        }

        @Override
        public void sequenceFinished(int tokens, long decodeNanos) {
            metrics.sequenceFinished(tokens, decodeNanos);
        }
    }

    /**
     * Stops before the registry unmaps the model (shutdown events come before beans are destroyed): the loop ends
     * after its current step, so no kernel ever reads unmapped memory.
     */
    void onStop(@Observes ShutdownEvent event) {
        shutdown();
    }

    @PreDestroy
    synchronized void shutdown() {
        stopped = true;
        expiry.shutdownNow();
        if (scheduler != null) {
            scheduler.close();
        }
    }
}
