package io.starling.engine;

import io.starling.sampling.SamplerConfig;
import java.util.List;

/**
 * One generation job as the engine sees it: token ids in, {@code n} sampled continuations out. The API layer has
 * already tokenized, applied the chat template and checked the context budget.
 *
 * @param prompt         the prompt ids (BOS included when the model wants it); never empty
 * @param sampling       the sampler settings; sequence {@code i} of {@code n} samples with seed {@code seed + i}
 *                       so that n > 1 gives n different continuations yet stays reproducible
 * @param maxTokens      the most tokens each sequence may generate (0: none, e.g. echo-only scoring)
 * @param n              how many independent continuations of the prompt
 * @param stop           texts that end a sequence; they are cut from the output
 * @param promptLogprobs -1: no prompt scoring; k >= 0: the log-probability of every prompt token given the ones
 *                       before it, with the k most likely alternatives (legacy completions' echo + logprobs)
 */
public record GenerationRequest(int[] prompt, SamplerConfig sampling, int maxTokens, int n, List<String> stop,
                                int promptLogprobs) {

    public GenerationRequest {
        if (prompt == null || prompt.length == 0) {
            throw new IllegalArgumentException("a generation request needs at least one prompt token");
        }
        if (maxTokens < 0 || n < 1 || promptLogprobs < -1) {
            throw new IllegalArgumentException("max tokens must be >= 0 and n >= 1");
        }
        prompt = prompt.clone();
        stop = stop == null ? List.of() : List.copyOf(stop);
    }

    @Override
    public int[] prompt() {
        return prompt.clone();
    }
}
