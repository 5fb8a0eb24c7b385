package io.starling.engine;

import io.smallrye.mutiny.operators.multi.processors.UnicastProcessor;
import io.starling.engine.GenerationEvent.Completed;
import io.starling.engine.GenerationEvent.GeneratedToken;
import io.starling.engine.GenerationEvent.PromptScores;
import io.starling.engine.GenerationEvent.SequenceEnd;
import io.starling.model.Generator;
import io.starling.model.LlamaModel;
import io.starling.sampling.Sampler;
import io.starling.sampling.SamplerConfig;
import io.starling.telemetry.StarlingMetrics;
import io.starling.tokenizer.StreamingDecoder;

/**
 * One request running on the engine thread: optional prompt scoring, then its {@code n} sequences one after the
 * other. Cancellation and the deadline are checked at every token, so either stops generation within one step.
 */
final class GenerationJob {

    /** Prompt tokens put through the model in one batch. */
    static final int PREFILL_CHUNK = 512;

    private final GenerationRequest request;
    private final ModelText.Text text;
    private final UnicastProcessor<GenerationEvent> events;
    private final long submittedNanos;
    private final long deadlineNanos;
    private final long timeoutMs;
    private final StarlingMetrics metrics;
    private volatile boolean cancelled;

    GenerationJob(GenerationRequest request, ModelText.Text text, UnicastProcessor<GenerationEvent> events,
                  long timeoutMs, StarlingMetrics metrics) {
        this.metrics = metrics;
        this.request = request;
        this.text = text;
        this.events = events;
        this.submittedNanos = System.nanoTime();
        this.timeoutMs = timeoutMs;
        this.deadlineNanos = submittedNanos + timeoutMs * 1_000_000L;
    }

    /** The subscriber went away (client disconnect, stop early): the next step ends the job. */
    void cancel() {
        cancelled = true;
    }

    boolean cancelled() {
        return cancelled;
    }

    void fail(Throwable error) {
        events.onError(error);
    }

    void run(LlamaModel model) {
        long started = System.nanoTime();
        if (cancelled) {
            events.onComplete();
            return;
        }
        if (started > deadlineNanos) {
            events.onError(new RequestTimeoutException(timeoutMs));
            return;
        }
        int[] prompt = request.prompt();
        if (request.promptLogprobs() >= 0) {
            events.onNext(new PromptScores(PromptScorer.score(model, prompt, request.promptLogprobs())));
        }
        Generator generator = new Generator(model, PREFILL_CHUNK);
        long prefillNanos = 0;
        long decodeNanos = 0;
        int completionTokens = 0;
        for (int index = 0; index < request.n(); index++) {
            Sequence sequence = new Sequence(index);
            long start = System.nanoTime();
            Generator.Generation generation = request.maxTokens() == 0
                    ? new Generator.Generation(new int[0], Generator.StopReason.LENGTH)
                    : generator.generate(prompt, sequence.sampler(), request.maxTokens(), text.stopTokens(), sequence);
            long end = System.nanoTime();
            long firstToken = sequence.firstTokenNanos == 0 ? end : sequence.firstTokenNanos;
            prefillNanos += firstToken - start;
            decodeNanos += end - firstToken;
            if (cancelled) {
                events.onComplete();
                return;
            }
            if (sequence.timedOut) {
                events.onError(new RequestTimeoutException(timeoutMs));
                return;
            }
            completionTokens += generation.tokens().length;
            metrics.sequenceFinished(generation.tokens().length, end - firstToken);
            events.onNext(sequence.end(generation));
        }
        events.onNext(new Completed(prompt.length, completionTokens, (started - submittedNanos) / 1e6,
                prefillNanos / 1e6, decodeNanos / 1e6));
        events.onComplete();
    }

    /** The per-token side of one sequence: decoding, stop strings, cancellation and the deadline. */
    private final class Sequence implements Generator.TokenListener {
        private final int index;
        private final StreamingDecoder decoder = text.tokenizer().newStreamingDecoder();
        private final StopStrings stops = new StopStrings(request.stop());
        private long firstTokenNanos;
        private long previousTokenNanos;
        private boolean timedOut;

        Sequence(int index) {
            this.index = index;
        }

        Sampler sampler() {
            SamplerConfig c = request.sampling();
            SamplerConfig seeded = new SamplerConfig(c.temperature(), c.topK(), c.topP(), c.repetitionPenalty(),
                    c.penaltyWindow(), c.frequencyPenalty(), c.presencePenalty(), c.seed() + index, c.logprobs(),
                    c.topLogprobs(), c.maskedTokens());
            return new Sampler(seeded, text.tokenizer().vocabSize());
        }

        @Override
        public boolean onToken(io.starling.sampling.Sample sample) {
            long now = System.nanoTime();
            // time to first token counts from admission, as a client experiences it (queue wait included)
            metrics.token(now - (firstTokenNanos == 0 ? submittedNanos : previousTokenNanos), firstTokenNanos == 0);
            if (firstTokenNanos == 0) {
                firstTokenNanos = now;
            }
            previousTokenNanos = now;
            if (cancelled) {
                return false;
            }
            if (System.nanoTime() > deadlineNanos) {
                timedOut = true;
                return false;
            }
            String piece = stops.accept(decoder.accept(sample.token()));
            events.onNext(new GeneratedToken(index, sample.token(), piece, sample.logprob(), sample.top()));
            return !stops.stopped();
        }

        SequenceEnd end(Generator.Generation generation) {
            String tail = stops.accept(decoder.flush());
            tail += stops.finish();
            boolean stop = stops.stopped() || generation.reason() == Generator.StopReason.STOP_TOKEN;
            return new SequenceEnd(index, stop ? FinishReason.STOP : FinishReason.LENGTH, tail,
                    generation.tokens().length);
        }
    }
}
