package io.starling.engine;

import io.quarkus.logging.Log;
import io.starling.gguf.GgufFile;
import io.starling.model.Batch;
import io.starling.model.LlamaModel;
import io.starling.model.Logits;
import io.starling.model.Warmup;
import io.starling.sampling.SamplerWarmup;
import io.starling.tensor.MatMul;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The one thread that drives a model: it takes requests from the fair queue into the running set, forms each
 * step's batch (every running sequence's decode token, then prompt chunks of new requests within the token
 * budget), runs it as one {@link LlamaModel#forward} on the kernel pool, and lets every sequence sample from its
 * row. It alone touches the model and the KV caches; REST threads only enqueue and consume.
 *
 * <p>While nothing runs or waits and the model is not yet warm, it runs the next piece of a {@link Warmup} (one model
 * step at most), then of a {@link SamplerWarmup} (a few samples) instead of sleeping, so the kernels are compiled
 * before traffic needs them without holding readiness back.
 *
 * <p>Cancellations and deadlines are checked before every step, so a client that goes away stops its sequences
 * within one step, and a request past its deadline is failed and its caches freed, queued or running.
 */
final class EngineLoop implements Runnable {

    /** How long an idle loop sleeps before looking at the queue again without being woken. */
    private static final long IDLE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final GgufFile file;
    private final TenantQueue<QueuedWork> queue;
    private final SchedulerSettings settings;
    private final ServingContext context;
    private final WorkLedger ledger;
    private final Supplier<Warmup.Stores> warmupStores;
    private final List<RequestRun> running = new ArrayList<>();
    // one step's batch and who gets each of its sequences' rows; reused, cleared every step
    private final List<Batch.Sequence> stepSequences = new ArrayList<>();
    private final List<StepPart> stepParts = new ArrayList<>();
    private int freeSlots;
    /** Background work leaves one slot free (when there are several), so an interactive arrival starts at once. */
    private final Predicate<QueuedWork> fitsFreeSlots = this::fitsFreeSlots;
    private long now;
    private final Predicate<QueuedWork> deadInQueue = work -> work.cancelled() || work.expired(now);
    private final Consumer<QueuedWork> endDead = this::endDead;
    private volatile boolean stopping;
    /** Set before the last drain of the queue: whatever is queued later must be taken back by its submitter. */
    private volatile boolean closed;
    private volatile int runningRequests;

    EngineLoop(GgufFile file, TenantQueue<QueuedWork> queue, SchedulerSettings settings, ServingContext context,
               WorkLedger ledger, Supplier<Warmup.Stores> warmupStores) {
        this.file = file;
        this.queue = queue;
        this.settings = settings;
        this.context = context;
        this.ledger = ledger;
        this.warmupStores = warmupStores;
    }

    @Override
    public void run() {
        Throwable reason = null;
        Warmup warmup = null;
        try (MatMul matMul = new MatMul(settings.kernelThreads(), MatMul.Activations.LLAMA_CPP, settings.batchInvariant())) {
            // binding only maps tensors: cheap, and on this thread because the model is not thread-safe
            LlamaModel model = LlamaModel.load(file, matMul);
            warmup = settings.warmUp() ? newWarmup(model) : null;
            SamplerWarmup samplerWarmup = settings.warmUp() ? newSamplerWarmup() : null;
            while (!stopping) {
                if (iterate(model)) {
                    continue;
                }
                // the model's first: with the sampler's first, C2 compiled the single-token kernel at the edge of its
                // inlining budget into a version that allocates a vector per operation (a quarter to half the speed)
                // in four runs of seven; the model's first was normal in every run (perf/RESULTS.md, "Warm-up on the
                // serving KV stores" and "The single-token kernel's slow compilation")
                if (warmup != null && queue.isEmpty()) {
                    warmup = warmUp(warmup);
                    continue;
                }
                if (samplerWarmup != null && queue.isEmpty()) {
                    samplerWarmup = warmUp(samplerWarmup);
                    continue;
                }
                queue.awaitWork(IDLE_WAIT_NANOS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable e) {
            Log.errorf(e, "engine loop stopped");
            reason = e;
        } finally {
            try {
                if (warmup != null) {
                    release(warmup);
                }
            } finally {
                drain(reason);
            }
        }
    }

    private Warmup newWarmup(LlamaModel model) {
        try {
            return new Warmup(model, warmupStores.get());
        } catch (RuntimeException e) {
            Log.warnf(e, "no warm-up; the first requests compile the model's code instead");
            return null;
        }
    }

    /**
     * The next piece of the warm-up; the warm-up itself once it is done or has failed (null, its stores freed). It
     * only speeds the first requests up, so a failure in it is logged and the engine serves on without it.
     */
    private static Warmup warmUp(Warmup warmup) {
        try {
            if (warmup.step() && !warmup.done()) {
                return warmup;
            }
            Log.infof("engine warmed up while idle: %d ms in %d kernel and %d forward rounds%s",
                    warmup.busyNanos() / 1_000_000, warmup.kernelRounds(), warmup.forwardRounds(),
                    warmup.steady() ? "" : " (stopped at the round limit, not steady)");
        } catch (RuntimeException e) {
            Log.warnf(e, "warm-up abandoned; the first requests compile the model's code instead");
        }
        release(warmup);
        return null;
    }

    private SamplerWarmup newSamplerWarmup() {
        try {
            return new SamplerWarmup(context.sampling());
        } catch (RuntimeException e) {
            Log.warnf(e, "no sampler warm-up; the first requests compile sampling instead");
            return null;
        }
    }

    /** The next samples of the sampler's warm-up; null once it is done or has failed (logged, as for the model's). */
    private static SamplerWarmup warmUp(SamplerWarmup warmup) {
        try {
            if (warmup.step()) {
                return warmup;
            }
            Log.infof("sampler warmed up while idle");
        } catch (RuntimeException e) {
            Log.warnf(e, "sampler warm-up abandoned; the first requests compile sampling instead");
        }
        return null;
    }

    /** Frees the warm-up's KV stores; a failure there must not keep the loop from draining its requests. */
    private static void release(Warmup warmup) {
        try {
            warmup.close();
        } catch (RuntimeException e) {
            Log.warnf(e, "could not free the warm-up's KV stores");
        }
    }

    /** One round: retire, admit, run a step. False when there was nothing to run. */
    private boolean iterate(LlamaModel model) {
        StepEvent event = new StepEvent();
        event.begin();
        now = System.nanoTime();
        retire();
        queue.removeIf(deadInQueue, endDead);
        admit(model);
        runningRequests = running.size();
        if (running.isEmpty()) {
            return false;
        }
        step(model, event);
        return true;
    }

    /** Removes ended requests from the running set: completed, cancelled or past their deadline. */
    private void retire() {
        for (int i = running.size() - 1; i >= 0; i--) {
            RequestRun run = running.get(i);
            if (run.cancelled() && !run.ended()) {
                run.abandon();
                ledger.ended(run, true, now);
            } else if (run.expired(now) && !run.ended()) {
                run.fail(new RequestTimeoutException(settings.requestTimeoutMs()));
                ledger.ended(run, false, now);
            } else if (!run.completeIfDone(now)) {
                continue;
            } else {
                ledger.ended(run, false, now);
            }
            running.remove(i);
        }
    }

    private boolean fitsFreeSlots(QueuedWork work) {
        int reserved = work.priority() == Priority.BACKGROUND && settings.maxBatchSize() > 1 ? 1 : 0;
        return work.slots() <= freeSlots - reserved;
    }

    private void endDead(QueuedWork work) {
        if (work.cancelled()) {
            work.abandon();
        } else {
            work.fail(new RequestTimeoutException(settings.requestTimeoutMs()));
        }
        ledger.ended(work, work.cancelled(), now);
    }

    /** Takes queued work in fair order while it fits the free batch slots; embeddings run at once, one per round. */
    private void admit(LlamaModel model) {
        freeSlots = settings.maxBatchSize();
        for (RequestRun run : running) {
            freeSlots -= run.slots();
        }
        QueuedWork work;
        while ((work = queue.poll(fitsFreeSlots)) != null) {
            switch (work) {
                case EmbeddingRun embedding -> {
                    embedding.run(model);
                    ledger.ended(embedding, false, System.nanoTime());
                    return;
                }
                case RequestRun run -> {
                    try {
                        run.start(context, now);
                    } catch (RuntimeException e) {
                        run.fail(e);
                        ledger.ended(run, false, now);
                        continue;
                    }
                    running.add(run);
                    freeSlots -= run.slots();
                }
            }
        }
    }

    private void step(LlamaModel model, StepEvent event) {
        stepSequences.clear();
        stepParts.clear();
        int budget = settings.maxBatchTokens();
        for (RequestRun run : running) {
            budget -= run.addDecodeSteps(stepSequences, stepParts);
        }
        int decodeTokens = settings.maxBatchTokens() - budget;
        for (RequestRun run : running) {
            if (budget > 0 && run.prefilling()) {
                Batch.Sequence chunk = run.nextChunk(budget);
                if (chunk == null) {
                    continue;
                }
                stepSequences.add(chunk);
                stepParts.add(run);
                budget -= chunk.tokens().length;
            }
        }
        if (stepSequences.isEmpty()) {
            stopNewestBlocked();
            return;
        }
        Batch batch = new Batch(stepSequences);
        context.metrics().step(stepSequences.size(), batch.tokenCount());
        Logits logits;
        long forwardStart = System.nanoTime();
        try {
            logits = model.forward(batch);
        } catch (RuntimeException e) {
            Log.errorf(e, "engine: a step of %d sequences failed", stepSequences.size());
            for (StepPart part : stepParts) {
                part.owner().fail(e);
            }
            return;
        }
        long forwardEnd = System.nanoTime();
        for (int i = 0; i < stepParts.size(); i++) {
            StepPart part = stepParts.get(i);
            if (part.owner().ended()) {
                continue;
            }
            try {
                part.afterStep(logits, batch.firstOutputRow(i));
            } catch (KvCacheExhaustedException e) {
                // the client's 429, not a fault of the server
                Log.debugf("engine: %s", e.getMessage());
                part.owner().fail(e);
            } catch (RuntimeException e) {
                Log.errorf(e, "engine: a request failed");
                part.owner().fail(e);
            }
        }
        if (event.shouldCommit()) {
            event.sequences = stepSequences.size();
            event.tokens = batch.tokenCount();
            event.promptTokens = batch.tokenCount() - decodeTokens;
            event.forwardNanos = forwardEnd - forwardStart;
            event.afterNanos = System.nanoTime() - forwardEnd;
            event.commit();
        }
    }

    /**
     * No sequence could reserve KV memory for this step, so none will finish and free any: the newest blocked
     * request is stopped (429) so the others can go on, as vLLM preempts the newest. Alone, it can never fit.
     */
    private void stopNewestBlocked() {
        for (int i = running.size() - 1; i >= 0; i--) {
            RequestRun run = running.get(i);
            if (run.blocked() && !run.ended()) {
                boolean alone = running.size() == 1;
                run.fail(new KvCacheExhaustedException(alone
                        ? "this request needs more KV cache memory than the server has (starling.kv.cache-mb):"
                                + " shorten the prompt or max_tokens, or ask for fewer choices"
                        : "the KV cache is full with other running requests; retry later", !alone));
                return;
            }
        }
    }

    /** Fails whatever is left when the loop ends (shutdown, or a fault that stopped it). */
    private void drain(Throwable reason) {
        closed = true;
        Throwable error = reason != null ? reason : new ModelUnavailableException();
        now = System.nanoTime();
        for (RequestRun run : running) {
            run.fail(error);
            ledger.ended(run, false, now);
        }
        running.clear();
        runningRequests = 0;
        queue.removeIf(work -> true, work -> {
            work.fail(error);
            ledger.ended(work, false, now);
        });
    }

    void stop() {
        stopping = true;
        queue.wake();
    }

    boolean closed() {
        return closed;
    }

    boolean busy() {
        return runningRequests > 0;
    }
}
