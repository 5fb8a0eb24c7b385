package io.starling.api.inference;

import io.starling.api.error.ApiException;
import io.starling.sampling.SamplerConfig;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The sampling fields every generating endpoint shares, checked with the OpenAI ranges and turned into a
 * {@link SamplerConfig}. Absent fields take OpenAI's defaults (temperature 1, top_p 1, no penalties); a missing seed
 * is drawn at random.
 *
 * @param topLogprobs -1 when no logprobs are asked, else how many alternatives per token
 */
public record SamplingParams(Double temperature, Double topP, Integer topK, Double repetitionPenalty,
                             Double presencePenalty, Double frequencyPenalty, Long seed, int topLogprobs) {

    /** Tokens (prompt and generated) the repetition, frequency and presence penalties look back over. */
    public static final int PENALTY_WINDOW = 64;
    public static final int MAX_TOP_LOGPROBS = 20;

    public SamplerConfig toConfig() {
        float temp = (float) range("temperature", temperature, 1.0, 0, 2);
        float p = (float) range("top_p", topP, 1.0, 0, 1);
        int k = topK == null || topK == -1 ? 0 : topK;
        if (k < 0) {
            throw ApiException.invalid("top_k", "top_k must be >= 0 (or -1 for off), got " + topK);
        }
        if (p == 0f) {
            // nucleus of probability 0 is the single most likely token
            p = 1f;
            k = 1;
        }
        float repetition = (float) range("repetition_penalty", repetitionPenalty, 1.0, Double.MIN_VALUE, 100);
        float presence = (float) range("presence_penalty", presencePenalty, 0.0, -2, 2);
        float frequency = (float) range("frequency_penalty", frequencyPenalty, 0.0, -2, 2);
        if (topLogprobs > MAX_TOP_LOGPROBS) {
            throw ApiException.invalid("top_logprobs", "top_logprobs must be between 0 and " + MAX_TOP_LOGPROBS
                    + ", got " + topLogprobs);
        }
        long actualSeed = seed != null ? seed : ThreadLocalRandom.current().nextLong();
        return new SamplerConfig(temp, k, p, repetition, PENALTY_WINDOW, frequency, presence, actualSeed,
                topLogprobs >= 0, Math.max(0, topLogprobs), null);
    }

    private static double range(String param, Double value, double absent, double min, double max) {
        if (value == null) {
            return absent;
        }
        if (!(value >= min && value <= max)) {
            throw ApiException.invalid(param, param + " must be between " + (min == Double.MIN_VALUE ? "0 (exclusive)" : fmt(min))
                    + " and " + fmt(max) + ", got " + value);
        }
        return value;
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
