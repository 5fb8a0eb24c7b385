package io.starling.sampling;

/** A token id with its log-probability under the model's raw distribution. */
public record TokenLogprob(int token, float logprob) {
}
