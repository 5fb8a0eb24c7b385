package io.starling.engine;

import io.smallrye.mutiny.operators.multi.processors.UnicastProcessor;
import io.starling.engine.GenerationEvent.Completed;
import io.starling.engine.GenerationEvent.PromptScores;
import io.starling.kv.KvCacheFullException;
import io.starling.model.Batch;
import io.starling.model.Logits;
import io.starling.sampling.Sampler;
import io.starling.sampling.SamplerConfig;
import java.util.Arrays;
import java.util.List;

/**
 * One admitted generation request from queue to last event. While it prefills, each step takes a chunk of its
 * prompt (as much as the step's token budget leaves, in one KV cache); when the prompt is in, its {@code n}
 * sequences fork that cache and decode one token per step. Ends exactly once: completed, failed or abandoned.
 * A chunk or decode token whose KV memory cannot be reserved sits the step out ({@link #blocked}) and tries again
 * at the next.
 *
 * <p>Created on a REST thread; everything after admission happens on the engine loop thread, except
 * {@link #cancel}, a flag the loop reads at the start of every step.
 */
final class RequestRun implements QueuedWork, StepPart {

    private final GenerationRequest request;
    private final KvCaches caches;
    private final int[] prompt;
    private final UnicastProcessor<GenerationEvent> events;
    private final long admittedNanos;
    private final long deadlineNanos;
    private final Priority priority;
    private volatile boolean cancelled;

    // engine loop thread only
    private ServingContext context;
    private KvCache promptCache;
    private boolean opened;
    /** Some chunk or sequence of this request could not reserve KV memory in the step being formed. */
    private boolean blocked;
    /** Until the sequences start, the prompt's cache is this request's to free; then the first sequence's. */
    private boolean ownsPromptCache;
    private PromptScorer scorer;
    private SequenceRun[] sequences = new SequenceRun[0];
    private int prefilled;
    private int chunkEnd;
    private long startedNanos;
    private long firstTokenNanos;
    private boolean ended;

    RequestRun(GenerationRequest request, KvCaches caches, UnicastProcessor<GenerationEvent> events,
               long admittedNanos, long deadlineNanos, Priority priority) {
        this.request = request;
        this.caches = caches;
        this.prompt = request.prompt();
        this.events = events;
        this.admittedNanos = admittedNanos;
        this.deadlineNanos = deadlineNanos;
        this.priority = priority;
    }

    GenerationRequest request() {
        return request;
    }

    @Override
    public RequestRun owner() {
        return this;
    }

    // --- QueuedWork

    @Override
    public String tenant() {
        return request.tenant();
    }

    @Override
    public Priority priority() {
        return priority;
    }

    @Override
    public int slots() {
        return request.n();
    }

    void cancel() {
        cancelled = true;
    }

    @Override
    public boolean cancelled() {
        return cancelled;
    }

    @Override
    public boolean expired(long nowNanos) {
        return nowNanos > deadlineNanos;
    }

    @Override
    public void fail(Throwable error) {
        if (end()) {
            events.onError(error);
        }
    }

    @Override
    public void abandon() {
        if (end()) {
            events.onComplete();
        }
    }

    // --- lifecycle on the loop thread

    /** Leaves the queue for the running set: opens the prompt's cache and prepares the sequences. */
    void start(ServingContext context, long nowNanos) {
        this.context = context;
        this.startedNanos = nowNanos;
        int maxTokens = request.maxTokens();
        if (maxTokens == 0 && request.promptLogprobs() < 0) {
            // nothing to compute: every sequence is empty
            sequences = newSequences();
            for (SequenceRun sequence : sequences) {
                sequence.start(null, null, 0);
            }
            return;
        }
        int capacity = (int) Math.min(context.contextLength(), (long) prompt.length + maxTokens);
        opened = true;
        promptCache = caches.open(request, capacity);
        ownsPromptCache = true;
        // at least the last prompt token runs: its logits choose the first generated token
        prefilled = Math.min(promptCache.reusedPositions(), prompt.length - 1);
        if (request.promptLogprobs() >= 0) {
            scorer = new PromptScorer(prompt, request.promptLogprobs());
            prefilled = 0;
        }
    }

    boolean prefilling() {
        return !ended && promptCache != null && prefilled < prompt.length;
    }

    /**
     * The next prompt chunk, at most {@code budget} tokens (fewer when scored: every row then has logits), its KV
     * memory reserved; null when the memory cannot be found now (the request is then {@link #blocked}).
     */
    Batch.Sequence nextChunk(int budget) {
        int limit = scorer != null ? Math.min(budget, PromptScorer.CHUNK) : budget;
        chunkEnd = Math.min(prompt.length, prefilled + limit);
        Batch.Outputs outputs = scorer != null ? Batch.Outputs.ALL
                : chunkEnd == prompt.length ? Batch.Outputs.LAST : Batch.Outputs.NONE;
        int[] chunk = Arrays.copyOfRange(prompt, prefilled, chunkEnd);
        try {
            promptCache.reserve(chunk);
        } catch (KvCacheFullException e) {
            blocked = true;
            return null;
        }
        return new Batch.Sequence(promptCache.store(), prefilled, chunk, outputs);
    }

    /** Adds the decode token of every live sequence that could reserve its KV position to the step; returns how many. */
    int addDecodeSteps(List<Batch.Sequence> batch, List<StepPart> parts) {
        blocked = false;
        int added = 0;
        for (SequenceRun sequence : sequences) {
            if (sequence.decoding()) {
                Batch.Sequence step = sequence.decodeStep();
                if (step == null) {
                    blocked = true;
                    continue;
                }
                batch.add(step);
                parts.add(sequence);
                added++;
            }
        }
        return added;
    }

    /** Whether part of this request sat out the step being formed for want of KV memory. */
    boolean blocked() {
        return blocked;
    }

    /** A prompt chunk ran: score it if asked; after the last one, fork the cache and sample the first tokens. */
    @Override
    public void afterStep(Logits logits, int firstRow) {
        int lastRow = firstRow + (scorer != null ? chunkEnd - prefilled - 1 : 0);
        if (scorer != null) {
            scorer.accept(logits, firstRow, prefilled, chunkEnd);
        }
        prefilled = chunkEnd;
        if (prefilled < prompt.length) {
            return;
        }
        if (scorer != null) {
            emit(new PromptScores(scorer.scores()));
        }
        sequences = newSequences();
        if (request.maxTokens() == 0) {
            // scored only: nothing decodes, so no sequence needs the cache
            ownsPromptCache = false;
            promptCache.release(prompt);
            for (SequenceRun sequence : sequences) {
                sequence.start(null, logits, lastRow);
            }
            return;
        }
        KvCache[] forks = forkPrompt();
        // every fork exists before any sequence starts: one that ends at once frees its cache, the prompt's included
        ownsPromptCache = false;
        for (int i = 0; i < sequences.length; i++) {
            sequences[i].start(forks[i], logits, lastRow);
        }
    }

    /** The prompt's cache for the first sequence and a fork sharing its pages for each other; all or none. */
    private KvCache[] forkPrompt() {
        KvCache[] forks = new KvCache[sequences.length];
        forks[0] = promptCache;
        int capacity = promptCache.store().capacity();
        for (int i = 1; i < forks.length; i++) {
            try {
                forks[i] = caches.fork(promptCache, prompt.length, capacity);
            } catch (KvCacheFullException e) {
                for (int j = 1; j < i; j++) {
                    forks[j].release(null);
                }
                throw new KvCacheExhaustedException("the KV cache has no room for choice " + (i + 1)
                        + " of this request now (" + e.getMessage() + "); retry, or ask for fewer choices", true);
            }
        }
        return forks;
    }

    private SequenceRun[] newSequences() {
        SequenceRun[] runs = new SequenceRun[request.n()];
        SamplerConfig c = request.sampling();
        for (int i = 0; i < runs.length; i++) {
            SamplerConfig seeded = new SamplerConfig(c.temperature(), c.topK(), c.topP(), c.repetitionPenalty(),
                    c.penaltyWindow(), c.frequencyPenalty(), c.presencePenalty(), c.seed() + i, c.logprobs(),
                    c.topLogprobs(), c.maskedTokens());
            runs[i] = new SequenceRun(this, i, prompt, new Sampler(seeded, context.sampling()), context);
        }
        return runs;
    }

    /** Completes the stream once every sequence has ended; true when this request is over. */
    boolean completeIfDone(long nowNanos) {
        if (ended) {
            return true;
        }
        if (sequences.length == 0) {
            return false;
        }
        int completion = 0;
        for (SequenceRun sequence : sequences) {
            if (!sequence.ended()) {
                return false;
            }
            completion += sequence.generatedCount();
        }
        long firstToken = firstTokenNanos == 0 ? nowNanos : firstTokenNanos;
        emit(new Completed(prompt.length, completion, (startedNanos - admittedNanos) / 1e6,
                (firstToken - startedNanos) / 1e6, (nowNanos - firstToken) / 1e6));
        if (end()) {
            events.onComplete();
        }
        return true;
    }

    boolean ended() {
        return ended;
    }

    long admittedNanos() {
        return admittedNanos;
    }

    void firstToken(long nowNanos) {
        if (firstTokenNanos == 0) {
            firstTokenNanos = nowNanos;
        }
    }

    void emit(GenerationEvent event) {
        events.onNext(event);
    }

    /** Marks the end and frees every cache still held; false if it had ended already. */
    private boolean end() {
        if (ended) {
            return false;
        }
        ended = true;
        for (SequenceRun sequence : sequences) {
            sequence.release();
        }
        if (ownsPromptCache) {
            ownsPromptCache = false;
            promptCache.release(null);
        } else if (!opened) {
            caches.abandon(request);
        }
        return true;
    }
}
