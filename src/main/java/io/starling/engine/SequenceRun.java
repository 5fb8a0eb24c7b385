package io.starling.engine;

import io.starling.engine.GenerationEvent.GeneratedToken;
import io.starling.engine.GenerationEvent.SequenceEnd;
import io.starling.kv.KvCacheFullException;
import io.starling.model.Batch;
import io.starling.model.Logits;
import io.starling.sampling.Sample;
import io.starling.sampling.Sampler;
import io.starling.tokenizer.StreamingDecoder;
import java.util.Arrays;

/**
 * One of a request's {@code n} continuations while it decodes: its own sampler (seeded per sequence), KV cache,
 * text decoder and stop strings. Each step feeds the token it sampled last and samples the next from its logits
 * row. Engine loop thread only.
 */
final class SequenceRun implements StepPart {

    private final RequestRun request;
    private final int index;
    private final int[] prompt;
    private final Sampler sampler;
    private final StreamingDecoder decoder;
    private final StopStrings stops;
    private final ServingContext context;
    /** The token fed at the next step, in an array the step's batch can hold without copying. */
    private final int[] next = new int[1];
    private KvCache cache;
    /** Where {@link #next} goes: positions [0, position) are in the cache. */
    private int position;
    /** {@link #next}'s position is reserved in the cache (a failed step may leave it so for the next one). */
    private boolean reserved;
    private int[] generated = new int[16];
    private int count;
    private long firstTokenNanos;
    private long previousTokenNanos;
    private boolean ended;

    SequenceRun(RequestRun request, int index, int[] prompt, Sampler sampler, ServingContext context) {
        this.request = request;
        this.index = index;
        this.prompt = prompt;
        this.sampler = sampler;
        this.context = context;
        this.decoder = context.tokenizer().newStreamingDecoder();
        this.stops = new StopStrings(request.request().stop());
        for (int token : prompt) {
            sampler.accept(token);
        }
    }

    @Override
    public RequestRun owner() {
        return request;
    }

    /**
     * The prompt is in {@code cache}; {@code row} of {@code logits} predicts the first token. Without tokens to
     * generate ({@code max_tokens} 0) the sequence ends at once and {@code cache} may be null.
     */
    void start(KvCache cache, Logits logits, int row) {
        this.cache = cache;
        this.position = prompt.length;
        if (request.request().maxTokens() == 0) {
            end(FinishReason.LENGTH);
        } else {
            take(logits, row);
        }
    }

    boolean decoding() {
        return cache != null && !ended;
    }

    /**
     * This sequence's share of the next step: its last token, one output row, its KV position reserved; null when
     * that position cannot be found now (the sequence sits the step out and tries again at the next).
     */
    Batch.Sequence decodeStep() {
        if (!reserved) {
            try {
                cache.reserve(next);
            } catch (KvCacheFullException e) {
                return null;
            }
            reserved = true;
        }
        return new Batch.Sequence(cache.store(), position, next, Batch.Outputs.LAST);
    }

    @Override
    public void afterStep(Logits logits, int firstRow) {
        position++;
        reserved = false;
        take(logits, firstRow);
    }

    private void take(Logits logits, int row) {
        Sample sample = sampler.sample(logits.array(), logits.offset(row));
        int token = sample.token();
        if (context.stopTokens()[token]) {
            end(FinishReason.STOP);
            return;
        }
        long now = System.nanoTime();
        boolean first = count == 0;
        // time to first token counts from admission, as a client experiences it (queue wait included)
        context.metrics().token(now - (first ? request.admittedNanos() : previousTokenNanos), first);
        if (first) {
            firstTokenNanos = now;
            request.firstToken(now);
        }
        previousTokenNanos = now;
        sampler.accept(token);
        if (count == generated.length) {
            generated = Arrays.copyOf(generated, count * 2);
        }
        generated[count++] = token;
        next[0] = token;
        String piece = stops.accept(decoder.accept(token));
        request.emit(new GeneratedToken(index, token, piece, sample.logprob(), sample.top()));
        if (stops.stopped()) {
            end(FinishReason.STOP);
        } else if (count == request.request().maxTokens() || position >= context.contextLength()) {
            end(FinishReason.LENGTH);
        }
    }

    private void end(FinishReason reason) {
        String tail = stops.accept(decoder.flush()) + stops.finish();
        request.emit(new SequenceEnd(index, reason, tail, count));
        context.metrics().sequenceFinished(count, count == 0 ? 0 : System.nanoTime() - firstTokenNanos);
        int[] transcript = Arrays.copyOf(prompt, prompt.length + count);
        System.arraycopy(generated, 0, transcript, prompt.length, count);
        free(transcript);
    }

    /** The request was stopped (failed, cancelled, timed out): frees the cache, if this sequence still holds it. */
    void release() {
        free(null);
    }

    private void free(int[] transcript) {
        if (ended) {
            return;
        }
        ended = true;
        if (cache != null) {
            cache.release(transcript);
        }
    }

    boolean ended() {
        return ended;
    }

    int generatedCount() {
        return count;
    }
}
