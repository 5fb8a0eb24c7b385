package io.starling.engine;

import io.smallrye.mutiny.operators.multi.processors.UnicastProcessor;
import io.starling.engine.GenerationEvent.Completed;
import io.starling.engine.GenerationEvent.PromptScores;
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
 *
 * <p>Created on a REST thread; everything after admission happens on the engine loop thread, except
 * {@link #cancel}, a flag the loop reads at the start of every step.
 */
final class RequestRun implements QueuedWork, StepPart {

    private final GenerationRequest request;
    private final int[] prompt;
    private final UnicastProcessor<GenerationEvent> events;
    private final long admittedNanos;
    private final long deadlineNanos;
    private volatile boolean cancelled;

    // engine loop thread only
    private ServingContext context;
    private KvCache promptCache;
    /** Until the sequences start, the prompt's cache is this request's to free; then the first sequence's. */
    private boolean ownsPromptCache;
    private PromptScorer scorer;
    private SequenceRun[] sequences = new SequenceRun[0];
    private int prefilled;
    private int chunkEnd;
    private long startedNanos;
    private long firstTokenNanos;
    private boolean ended;

    RequestRun(GenerationRequest request, UnicastProcessor<GenerationEvent> events, long admittedNanos,
               long deadlineNanos) {
        this.request = request;
        this.prompt = request.prompt();
        this.events = events;
        this.admittedNanos = admittedNanos;
        this.deadlineNanos = deadlineNanos;
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
        promptCache = context.caches().open(request, capacity);
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

    /** The next prompt chunk, at most {@code budget} tokens (fewer when scored: every row then has logits). */
    Batch.Sequence nextChunk(int budget) {
        int limit = scorer != null ? Math.min(budget, PromptScorer.CHUNK) : budget;
        chunkEnd = Math.min(prompt.length, prefilled + limit);
        Batch.Outputs outputs = scorer != null ? Batch.Outputs.ALL
                : chunkEnd == prompt.length ? Batch.Outputs.LAST : Batch.Outputs.NONE;
        return new Batch.Sequence(promptCache.store(), prefilled, Arrays.copyOfRange(prompt, prefilled, chunkEnd),
                outputs);
    }

    /** Adds the decode token of every live sequence to the step; returns how many. */
    int addDecodeSteps(List<Batch.Sequence> batch, List<StepPart> parts) {
        int added = 0;
        for (SequenceRun sequence : sequences) {
            if (sequence.decoding()) {
                batch.add(sequence.decodeStep());
                parts.add(sequence);
                added++;
            }
        }
        return added;
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
        int capacity = promptCache.store().capacity();
        for (int i = 0; i < sequences.length; i++) {
            // forks copy the prompt before the first sequence writes beyond it
            KvCache cache = i == 0 ? promptCache : context.caches().fork(promptCache, prompt.length, capacity);
            if (i == 0) {
                ownsPromptCache = false;
            }
            sequences[i].start(cache, logits, lastRow);
        }
    }

    private SequenceRun[] newSequences() {
        SequenceRun[] runs = new SequenceRun[request.n()];
        SamplerConfig c = request.sampling();
        for (int i = 0; i < runs.length; i++) {
            SamplerConfig seeded = new SamplerConfig(c.temperature(), c.topK(), c.topP(), c.repetitionPenalty(),
                    c.penaltyWindow(), c.frequencyPenalty(), c.presencePenalty(), c.seed() + i, c.logprobs(),
                    c.topLogprobs(), c.maskedTokens());
            runs[i] = new SequenceRun(this, i, prompt, new Sampler(seeded, context.tokenizer().vocabSize()), context);
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
            promptCache.release(Arrays.copyOf(prompt, prefilled));
        }
        return true;
    }
}
