package io.starling.engine;

import io.starling.sampling.TokenLogprob;
import java.util.List;

/**
 * What a generation job emits, in order: the prompt scores (when asked), then per sequence its tokens and its end,
 * and last one {@link Completed} with usage and timings. A failure (timeout, engine error) ends the stream instead.
 */
public sealed interface GenerationEvent {

    /** Log-probabilities of the prompt tokens; the first token has none (NaN), nothing precedes it. */
    record PromptScores(List<ScoredToken> tokens) implements GenerationEvent {
        public PromptScores {
            tokens = List.copyOf(tokens);
        }
    }

    /**
     * One generated token of sequence {@code index}.
     *
     * @param text    the text this token releases: empty while a multi-byte character or a possible stop string
     *                is incomplete, and held-back text comes out with a later token or the {@link SequenceEnd}
     * @param logprob its log-probability under the raw logits, always (a generation's confidence is the mean of
     *                their exponentials); responses show it only when the request asked for logprobs
     * @param top     the most likely alternatives, as many as asked
     */
    record GeneratedToken(int index, int token, String text, float logprob, List<TokenLogprob> top)
            implements GenerationEvent {
        public GeneratedToken {
            top = List.copyOf(top);
        }
    }

    /** Sequence {@code index} ended; {@code text} is what it still held back (empty after a stop string). */
    record SequenceEnd(int index, FinishReason reason, String text, int completionTokens) implements GenerationEvent {
    }

    /** The whole job ended: token counts over all sequences and where the time went. */
    record Completed(int promptTokens, int completionTokens, double queueMs, double prefillMs, double decodeMs)
            implements GenerationEvent {
    }

    /** A prompt token with its log-probability given the tokens before it. */
    record ScoredToken(int token, float logprob, List<TokenLogprob> top) {
        public ScoredToken {
            top = List.copyOf(top);
        }
    }
}
