package io.starling.sampling;

import java.util.List;

/**
 * One sampled token.
 *
 * @param token   the chosen id
 * @param logprob its log-probability under the raw logits (before any sampler stage), always computed: callers show
 *                it only when logprobs were asked
 * @param top     the most likely tokens under the raw logits, best first, as many as asked (else empty)
 */
public record Sample(int token, float logprob, List<TokenLogprob> top) {
    public Sample {
        top = List.copyOf(top);
    }
}
