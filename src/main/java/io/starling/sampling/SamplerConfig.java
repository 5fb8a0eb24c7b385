package io.starling.sampling;

import java.util.Arrays;
import java.util.Objects;

/**
 * What one request asks of the sampler. Neutral values switch a stage off: temperature 0 is greedy, topK 0 keeps
 * every token, topP 1 keeps the whole distribution, penalties 1 (repetition) and 0 (frequency, presence) change
 * nothing.
 *
 * @param temperature        divides the logits; 0 picks the most likely token (ties to the lowest id)
 * @param topK               keep only the K most likely tokens (0 = all)
 * @param topP               keep the smallest set of most likely tokens whose probability reaches P (nucleus)
 * @param repetitionPenalty  divides positive and multiplies negative logits of tokens seen in the window
 * @param penaltyWindow      how many of the most recent tokens (prompt and generated) every penalty looks at
 * @param frequencyPenalty   subtracted once per occurrence of a token in the window
 * @param presencePenalty    subtracted once from every token that occurs in the window
 * @param seed               seeds the request's random generator: same seed and request, same tokens
 * @param logprobs           report the chosen token's log-probability
 * @param topLogprobs        and that many most likely alternatives (needs logprobs)
 * @param maskedTokens       ids that are never sampled (stop/EOS masking, banned tokens)
 */
public record SamplerConfig(
        float temperature,
        int topK,
        float topP,
        float repetitionPenalty,
        int penaltyWindow,
        float frequencyPenalty,
        float presencePenalty,
        long seed,
        boolean logprobs,
        int topLogprobs,
        int[] maskedTokens) {

    public SamplerConfig {
        if (!(temperature >= 0) || Float.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be a finite number >= 0, got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top_k must be >= 0, got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
        }
        if (!(repetitionPenalty > 0) || Float.isInfinite(repetitionPenalty)) {
            throw new IllegalArgumentException("repetition penalty must be a finite number > 0, got " + repetitionPenalty);
        }
        if (penaltyWindow < 0) {
            throw new IllegalArgumentException("penalty window must be >= 0, got " + penaltyWindow);
        }
        if (!Float.isFinite(frequencyPenalty) || !Float.isFinite(presencePenalty)) {
            throw new IllegalArgumentException("frequency and presence penalties must be finite");
        }
        if (topLogprobs < 0 || (topLogprobs > 0 && !logprobs)) {
            throw new IllegalArgumentException("top logprobs must be >= 0 and needs logprobs, got " + topLogprobs);
        }
        maskedTokens = maskedTokens == null ? new int[0] : maskedTokens.clone();
    }

    /** Greedy decoding, no penalties, no logprobs. */
    public static SamplerConfig greedy() {
        return new SamplerConfig(0f, 0, 1f, 1f, 64, 0f, 0f, 0L, false, 0, null);
    }

    /** Plain sampling at {@code temperature} with {@code seed}, every other stage off. */
    public static SamplerConfig sampling(float temperature, long seed) {
        return new SamplerConfig(temperature, 0, 1f, 1f, 64, 0f, 0f, seed, false, 0, null);
    }

    public SamplerConfig withTopK(int k) {
        return new SamplerConfig(temperature, k, topP, repetitionPenalty, penaltyWindow, frequencyPenalty,
                presencePenalty, seed, logprobs, topLogprobs, maskedTokens);
    }

    public SamplerConfig withTopP(float p) {
        return new SamplerConfig(temperature, topK, p, repetitionPenalty, penaltyWindow, frequencyPenalty,
                presencePenalty, seed, logprobs, topLogprobs, maskedTokens);
    }

    public SamplerConfig withPenalties(float repetition, int window, float frequency, float presence) {
        return new SamplerConfig(temperature, topK, topP, repetition, window, frequency, presence, seed, logprobs,
                topLogprobs, maskedTokens);
    }

    public SamplerConfig withLogprobs(int top) {
        return new SamplerConfig(temperature, topK, topP, repetitionPenalty, penaltyWindow, frequencyPenalty,
                presencePenalty, seed, true, top, maskedTokens);
    }

    public SamplerConfig withMaskedTokens(int... ids) {
        return new SamplerConfig(temperature, topK, topP, repetitionPenalty, penaltyWindow, frequencyPenalty,
                presencePenalty, seed, logprobs, topLogprobs, ids);
    }

    /** A copy of the masked ids. */
    @Override
    public int[] maskedTokens() {
        return maskedTokens.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SamplerConfig c && Float.compare(temperature, c.temperature) == 0 && topK == c.topK
                && Float.compare(topP, c.topP) == 0 && Float.compare(repetitionPenalty, c.repetitionPenalty) == 0
                && penaltyWindow == c.penaltyWindow && Float.compare(frequencyPenalty, c.frequencyPenalty) == 0
                && Float.compare(presencePenalty, c.presencePenalty) == 0 && seed == c.seed && logprobs == c.logprobs
                && topLogprobs == c.topLogprobs && Arrays.equals(maskedTokens, c.maskedTokens);
    }

    @Override
    public int hashCode() {
        return Objects.hash(temperature, topK, topP, repetitionPenalty, penaltyWindow, frequencyPenalty, presencePenalty,
                seed, logprobs, topLogprobs) * 31 + Arrays.hashCode(maskedTokens);
    }
}
