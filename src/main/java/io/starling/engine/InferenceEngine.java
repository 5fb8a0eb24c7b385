package io.starling.engine;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.operators.multi.processors.UnicastProcessor;
import io.starling.config.StarlingConfig;
import io.starling.model.LlamaModel;
import io.starling.tensor.MatMul;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.starling.telemetry.StarlingMetrics;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Priority;
import jakarta.interceptor.Interceptor;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The only code that touches the model: one dedicated engine thread runs requests one after another, because
 * {@link LlamaModel} is not thread-safe. REST threads only enqueue and consume the returned {@link Multi} / {@link Uni}.
 *
 * <p>This is the seam the continuous-batching scheduler (issue 7) replaces: it keeps {@link #submit}'s contract
 * (admission with 429 on a full queue, events per token, cancellation when the subscriber cancels, a request
 * timeout) and swaps the one-at-a-time loop for batched steps.
 */
@ApplicationScoped
public class InferenceEngine {

    private final ModelText modelText;
    private final StarlingConfig.Scheduler config;
    private final ExecutorService engineThread = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("starling-engine").daemon(true).factory());
    /** Admitted requests that have not started yet; the running one is not counted. */
    private final AtomicInteger waiting = new AtomicInteger();
    /** Jobs stopped because their subscriber went away (client disconnect, early stop). */
    private final AtomicLong cancelledJobs = new AtomicLong();
    /** Moving average of how long a request holds the engine, for Retry-After. */
    private volatile double averageJobSeconds = 1;

    /** The job on the engine thread now, so shutdown can stop it within one token. */
    private volatile GenerationJob running;

    // engine thread only
    private LlamaModel model;
    private MatMul matMul;

    private final StarlingMetrics metrics;

    InferenceEngine(ModelText modelText, StarlingConfig config, StarlingMetrics metrics) {
        this.modelText = modelText;
        this.config = config.scheduler();
        this.metrics = metrics;
    }

    /** The queue-depth gauge, labelled with the served model: after the registry has loaded it (later priority). */
    void onStart(@Observes @Priority(Interceptor.Priority.APPLICATION + 1000) StartupEvent event) {
        registryModelId().ifPresent(id -> metrics.queueDepth(id, waiting::get));
    }

    private java.util.Optional<String> registryModelId() {
        try {
            return java.util.Optional.of(modelText.get().model().id());
        } catch (ModelUnavailableException e) {
            return java.util.Optional.empty();
        }
    }

    /**
     * Queues a generation. Admission is decided now, so a full queue fails the call itself with
     * {@link QueueFullException} before any response is started. The events are delivered on a worker thread, not
     * the engine thread, so a slow client never slows the model; cancelling the subscription stops the job within
     * one token.
     */
    public Multi<GenerationEvent> submit(GenerationRequest request) {
        ModelText.Text text = modelText.get();
        admit();
        UnicastProcessor<GenerationEvent> events = UnicastProcessor.create();
        GenerationJob job = new GenerationJob(request, text, events, config.requestTimeoutMs(), metrics);
        execute(() -> {
            running = job;
            try {
                job.run(model());
            } finally {
                running = null;
                if (job.cancelled()) {
                    cancelledJobs.incrementAndGet();
                }
            }
        }, job::fail);
        return events.onCancellation().invoke(job::cancel)
                .emitOn(Infrastructure.getDefaultWorkerPool());
    }

    /** The sentence embedding of {@code tokens}, computed on the engine thread. */
    public Uni<float[]> embed(int[] tokens) {
        modelText.get();
        admit();
        long deadline = System.nanoTime() + config.requestTimeoutMs() * 1_000_000L;
        CompletableFuture<float[]> result = new CompletableFuture<>();
        execute(() -> {
            if (System.nanoTime() > deadline) {
                result.completeExceptionally(new RequestTimeoutException(config.requestTimeoutMs()));
            } else if (!result.isCancelled()) {
                result.complete(model().embed(tokens));
            }
        }, result::completeExceptionally);
        return Uni.createFrom().completionStage(result).emitOn(Infrastructure.getDefaultWorkerPool());
    }

    /** Requests waiting for the engine now. */
    public int queueDepth() {
        return waiting.get();
    }

    /** The most requests that may wait; one more is refused. */
    public int maxQueueDepth() {
        return config.maxQueueDepth();
    }

    /** Jobs cancelled so far, on the engine thread or before they started. */
    public long cancelledJobs() {
        return cancelledJobs.get();
    }

    /** Whether a generation is running on the engine thread now. */
    public boolean busy() {
        return running != null;
    }

    private void admit() {
        int depth = waiting.incrementAndGet();
        if (depth > config.maxQueueDepth()) {
            waiting.decrementAndGet();
            int retryAfter = (int) Math.clamp(Math.ceil(averageJobSeconds * depth), 1, 60);
            throw new QueueFullException(depth - 1, retryAfter);
        }
    }

    private void execute(Runnable work, java.util.function.Consumer<Throwable> onFailure) {
        try {
            engineThread.execute(() -> {
                waiting.decrementAndGet();
                long start = System.nanoTime();
                try {
                    work.run();
                } catch (Throwable e) {
                    Log.errorf(e, "engine: request failed");
                    onFailure.accept(e);
                } finally {
                    averageJobSeconds = 0.8 * averageJobSeconds + 0.2 * (System.nanoTime() - start) / 1e9;
                }
            });
        } catch (RuntimeException e) {
            // the executor is shutting down
            waiting.decrementAndGet();
            throw new ModelUnavailableException();
        }
    }

    /** The model, bound on first use on the engine thread (binding only maps tensors: cheap). */
    private LlamaModel model() {
        if (model == null) {
            int threads = config.threads() > 0 ? config.threads() : Runtime.getRuntime().availableProcessors();
            matMul = new MatMul(threads);
            model = LlamaModel.load(modelText.get().model().file(), matMul);
        }
        return model;
    }

    /**
     * Stops before the registry unmaps the model (shutdown events come before beans are destroyed): the running
     * job is cancelled and waited for, so no kernel ever reads unmapped memory.
     */
    void onStop(@Observes ShutdownEvent event) {
        shutdown();
    }

    @PreDestroy
    void shutdown() {
        GenerationJob job = running;
        if (job != null) {
            job.cancel();
        }
        engineThread.shutdownNow();
        try {
            engineThread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (engineThread.isTerminated() && matMul != null) {
            matMul.close();
            matMul = null;
        }
    }
}
