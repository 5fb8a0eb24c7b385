package io.starling.sampling;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Brings sampling to compiled speed while the engine is idle, as {@link io.starling.model.Warmup} does for the
 * model. Every sample runs loops over the whole vocabulary (32,000 logits on a Llama 2 model), interpreted until
 * the JIT compiles them, and a server's first request did that at its first token: its time to first token went
 * from 318 to 277 ms with this warm-up (52 ms warm; perf/RESULTS.md, "Warm-up on the serving KV stores").
 *
 * <p>It samples from logits of its own, one sample of each setting per {@link #step step} (interpreted, one sample
 * of a large vocabulary takes milliseconds, and a request arriving waits for the step), with the settings requests
 * commonly use: greedy, greedy with logprobs, OpenAI's default temperature 1, and temperature with top-k, top-p,
 * penalties and logprobs together. Nothing it draws is kept.
 */
public final class SamplerWarmup {

    /** Samples per setting: past C2's threshold for methods whose loops run thousands of times per call. */
    static final int SAMPLES = 1_000;

    private final List<Sampler> samplers;
    private final float[] logits;
    private int samples;

    /** A warm-up working in {@code scratch}, the work arrays the engine's samplers share. */
    public SamplerWarmup(SamplingScratch scratch) {
        int lastToken = scratch.vocabSize - 1;
        this.samplers = List.of(
                new Sampler(SamplerConfig.greedy().withMaskedTokens(lastToken), scratch),
                new Sampler(SamplerConfig.greedy().withLogprobs(5), scratch),
                new Sampler(SamplerConfig.sampling(1f, 1), scratch),
                new Sampler(SamplerConfig.sampling(0.8f, 2).withTopK(40).withTopP(0.95f)
                        .withPenalties(1.1f, 64, 0.1f, 0.1f).withLogprobs(3).withMaskedTokens(lastToken), scratch));
        // any values do, as for the model's warm-up; a fixed generator keeps runs alike
        SplittableRandom random = new SplittableRandom(7);
        this.logits = new float[scratch.vocabSize];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) random.nextGaussian(0, 3);
        }
    }

    /** Runs the next sample of every setting; false once all are done (and nothing was run). */
    public boolean step() {
        if (done()) {
            return false;
        }
        for (Sampler sampler : samplers) {
            sampler.accept(sampler.sample(logits, 0).token());
        }
        samples++;
        return true;
    }

    /** Whether every setting has been sampled {@value #SAMPLES} times. */
    public boolean done() {
        return samples >= SAMPLES;
    }
}
