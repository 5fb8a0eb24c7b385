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
 * @param n              how many continuations of the prompt; they run as parallel sequences of one batch and
 *                       share the prompt's prefill
 * @param stop           texts that end a sequence; they are cut from the output
 * @param promptLogprobs -1: no prompt scoring; k >= 0: the log-probability of every prompt token given the ones
 *                       before it, with the k most likely alternatives (legacy completions' echo + logprobs)
 * @param tenant         who asked (the API key's tenant); the scheduler shares the engine fairly between tenants
 * @param sessionId      the session whose KV cache this request continues, or null for a one-off request
 */
public record GenerationRequest(int[] prompt, SamplerConfig sampling, int maxTokens, int n, List<String> stop,
                                int promptLogprobs, String tenant, String sessionId) {

    /** The tenant of requests that carry no identity (an open server, internal callers). */
    public static final String ANONYMOUS = "anonymous";

    public GenerationRequest {
        if (prompt == null || prompt.length == 0) {
            throw new IllegalArgumentException("a generation request needs at least one prompt token");
        }
        if (maxTokens < 0 || n < 1 || promptLogprobs < -1) {
            throw new IllegalArgumentException("max tokens must be >= 0 and n >= 1");
        }
        if (tenant == null || tenant.isEmpty()) {
            throw new IllegalArgumentException("a generation request needs a tenant (use ANONYMOUS)");
        }
        prompt = prompt.clone();
        stop = stop == null ? List.of() : List.copyOf(stop);
    }

    /** An anonymous request outside any session. */
    public GenerationRequest(int[] prompt, SamplerConfig sampling, int maxTokens, int n, List<String> stop,
                             int promptLogprobs) {
        this(prompt, sampling, maxTokens, n, stop, promptLogprobs, ANONYMOUS, null);
    }

    /** The same request on behalf of {@code tenant}. */
    public GenerationRequest withTenant(String tenant) {
        return new GenerationRequest(prompt, sampling, maxTokens, n, stop, promptLogprobs, tenant, sessionId);
    }

    /** The same request continuing session {@code sessionId}. */
    public GenerationRequest withSession(String sessionId) {
        return new GenerationRequest(prompt, sampling, maxTokens, n, stop, promptLogprobs, tenant, sessionId);
    }

    @Override
    public int[] prompt() {
        return prompt.clone();
    }

    /** The prompt length without copying the ids. */
    public int promptLength() {
        return prompt.length;
    }
}
