package io.starling.engine;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.operators.multi.processors.UnicastProcessor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The continuous-batching scheduler of one model: admission into a bounded, tenant-fair queue on the caller's
 * thread, and one {@link EngineLoop} thread that batches every running sequence into each model step. Plain Java
 * (no CDI), so tests drive it directly; {@link InferenceEngine} pairs it with its model's KV cache.
 */
public final class Scheduler implements AutoCloseable {

    private final ModelText.Text text;
    private final SchedulerSettings settings;
    private final KvCaches caches;
    private final TenantQueue<QueuedWork> queue;
    private final WorkLedger ledger = new WorkLedger();
    private final LongAdder interactiveRefusals = new LongAdder();
    private final EngineLoop loop;
    private final Thread thread;

    public Scheduler(ModelText.Text text, SchedulerSettings settings, KvCaches caches, EngineMetrics metrics) {
        this.text = text;
        this.settings = settings;
        this.caches = caches;
        this.queue = new TenantQueue<>(settings.maxQueueDepth(), settings::weightOf);
        this.loop = new EngineLoop(text.model().file(), queue, settings, ServingContext.of(text, metrics),
                ledger, caches::warmupStores);
        this.thread = Thread.ofPlatform().name("starling-engine-" + text.model().id()).daemon(true).start(loop);
    }

    /**
     * Queues a generation. Admission is decided now: a full queue fails the call itself with
     * {@link QueueFullException}, a request the engine can never run with {@link IllegalArgumentException}, before
     * any response has started (a session request's lease then stays the caller's to give back). Events are delivered on a worker thread, so a slow client never slows the loop;
     * cancelling the subscription stops the request's sequences within one step.
     */
    public Multi<GenerationEvent> submit(GenerationRequest request) {
        return submit(request, Priority.INTERACTIVE);
    }

    /**
     * Like {@link #submit(GenerationRequest)} in a priority class. Background work waits in a queue of its own
     * (so it never fills the interactive one), is taken only when no interactive request waits, never holds the
     * last free batch slot, and has no deadline: the batch job that submits it bounds its own time.
     */
    public Multi<GenerationEvent> submit(GenerationRequest request, Priority priority) {
        if (request.n() > settings.maxBatchSize()) {
            throw new IllegalArgumentException("n = " + request.n() + " is more sequences than one batch holds ("
                    + "starling.scheduler.max-batch-size = " + settings.maxBatchSize() + ")");
        }
        if (request.promptLength() > text.contextLength()) {
            throw new IllegalArgumentException("the prompt has " + request.promptLength()
                    + " tokens, more than the model's context of " + text.contextLength());
        }
        caches.check(request);
        UnicastProcessor<GenerationEvent> events = UnicastProcessor.create();
        long now = System.nanoTime();
        RequestRun run = new RequestRun(request, caches, events, now, deadline(now, priority), priority);
        admit(run, now);
        return events.onCancellation().invoke(run::cancel).emitOn(Infrastructure.getDefaultWorkerPool());
    }

    /** The sentence embedding of {@code tokens}, computed on the loop thread between steps. */
    public Uni<float[]> embed(int[] tokens, String tenant) {
        return embed(tokens, tenant, Priority.INTERACTIVE);
    }

    /** Like {@link #embed(int[], String)} in a priority class (see {@link #submit(GenerationRequest, Priority)}). */
    public Uni<float[]> embed(int[] tokens, String tenant, Priority priority) {
        long now = System.nanoTime();
        EmbeddingRun run = new EmbeddingRun(tokens, tenant, deadline(now, priority), priority);
        admit(run, now);
        return Uni.createFrom().completionStage(run.result).emitOn(Infrastructure.getDefaultWorkerPool());
    }

    private long deadline(long now, Priority priority) {
        if (priority == Priority.BACKGROUND) {
            return Long.MAX_VALUE;
        }
        return now + TimeUnit.MILLISECONDS.toNanos(settings.requestTimeoutMs());
    }

    private void admit(QueuedWork work, long now) {
        ledger.admitted(work, now);
        if (!queue.offer(work.tenant(), work, work.priority())) {
            ledger.refused(work);
            if (work.priority() == Priority.INTERACTIVE) {
                interactiveRefusals.increment();
            }
            int depth = queue.size();
            int retryAfter = (int) Math.clamp(
                    Math.ceil(ledger.averageSeconds() * (depth + 1) / settings.maxBatchSize()), 1, 60);
            throw new QueueFullException(depth, retryAfter);
        }
        if (loop.closed()) {
            // the loop has ended (shutdown) and will never take it: take it back, unless its drain did already
            queue.removeIf(queued -> queued == work, ledger::refused);
            throw new ModelUnavailableException();
        }
    }

    /**
     * Interactive requests refused (429) because the queue was full, since the start: the overload signal. A tenant
     * over its own rate limit is not counted, nor is batch work, which waits and retries.
     */
    public long queueRefusals() {
        return interactiveRefusals.sum();
    }

    /** Interactive requests waiting for the engine now (not yet running). */
    public int queueDepth() {
        return queue.size();
    }

    /** Background work (batch jobs' requests) waiting for the engine now. */
    public int backgroundQueueDepth() {
        return queue.size(Priority.BACKGROUND);
    }

    /** Whether any request is running on the loop now. */
    public boolean busy() {
        return loop.busy();
    }

    /** Requests and embeddings admitted and not ended yet, queued or running. */
    public int inFlight() {
        return ledger.inFlight();
    }

    /** Work ended because its subscriber went away, queued or running. */
    public long cancelledJobs() {
        return ledger.cancelled();
    }

    /** Work that ended more than once: always 0 unless the scheduler is broken. */
    public long endedTwice() {
        return ledger.endedTwice();
    }

    /** KV caches held now: 0 whenever nothing runs. */
    public int liveKvCaches() {
        return caches.live();
    }

    /** Whether the loop thread has ended (after {@link #close}): nothing reads the model's memory any more. */
    public boolean stopped() {
        return !thread.isAlive();
    }

    KvCaches kvCaches() {
        return caches;
    }

    /**
     * Stops the loop after its current step (waiting up to 5 s) and fails whatever was left, so no kernel reads
     * the model's memory after the caller unmaps it; then frees the KV caches' memory, unless the loop is still in
     * a step that may read it (the process is then ending anyway).
     */
    @Override
    public void close() {
        loop.stop();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!thread.isAlive()) {
            caches.close();
        }
    }
}
