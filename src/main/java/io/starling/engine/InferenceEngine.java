package io.starling.engine;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.starling.config.StarlingConfig;
import io.starling.telemetry.StarlingMetrics;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import java.util.Optional;

/**
 * The server's engine bean: the {@link Scheduler} of the served model, made on first use (the registry may still be
 * loading when the bean is created), with its meters wired to {@link StarlingMetrics}. REST threads only enqueue and
 * consume the returned {@link Multi} / {@link Uni}; the scheduler's loop thread owns the model.
 */
@ApplicationScoped
public class InferenceEngine {

    private final ModelText modelText;
    private final SchedulerSettings settings;
    private final StarlingMetrics metrics;
    private volatile Scheduler scheduler;
    private boolean stopped;

    InferenceEngine(ModelText modelText, StarlingConfig config, StarlingMetrics metrics) {
        this.modelText = modelText;
        StarlingConfig.Scheduler s = config.scheduler();
        this.settings = new SchedulerSettings(s.maxQueueDepth(), s.maxBatchSize(), s.maxBatchTokens(),
                s.requestTimeoutMs(), s.threads(), s.tenantWeights());
        this.metrics = metrics;
    }

    /** The queue-depth gauge, labelled with the served model: after the registry has loaded it (later priority). */
    void onStart(@Observes @Priority(Interceptor.Priority.APPLICATION + 1000) StartupEvent event) {
        registryModelId().ifPresent(id -> metrics.queueDepth(id, this::queueDepth));
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

    private Scheduler scheduler() {
        Scheduler current = scheduler;
        if (current == null) {
            synchronized (this) {
                if (stopped) {
                    throw new ModelUnavailableException();
                }
                current = scheduler;
                if (current == null) {
                    current = Scheduler.withContiguousKv(modelText.get(), settings, new Meters());
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
        if (scheduler != null) {
            scheduler.close();
        }
    }
}
