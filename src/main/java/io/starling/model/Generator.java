package io.starling.model;

import io.starling.sampling.Sample;
import io.starling.sampling.Sampler;
import java.util.Arrays;
import java.util.Set;

/**
 * The plain generation loop shared by the CLI and the server: prefill a prompt, then sample and feed one token at a
 * time until a stop token, the token limit, the context end or the listener says stop.
 */
public final class Generator {

    /** Why generation ended. */
    public enum StopReason {
        /** The sampler chose a stop token (EOS or a caller's stop id); it is not part of the output. */
        STOP_TOKEN,
        /** The requested number of tokens was generated. */
        LENGTH,
        /** The model's context is full. */
        CONTEXT,
        /** The listener asked to stop. */
        CANCELLED
    }

    /** Sees every generated token as soon as it is chosen; returning false stops generation. */
    @FunctionalInterface
    public interface TokenListener {
        boolean onToken(Sample sample);
    }

    /** The generated ids (stop token excluded) and why generation ended. */
    public record Generation(int[] tokens, StopReason reason) {
        public Generation {
            tokens = tokens.clone();
        }

        @Override
        public int[] tokens() {
            return tokens.clone();
        }
    }

    private final LlamaModel model;
    private final int prefillChunk;

    /** @param prefillChunk the most prompt tokens put through the model in one batch */
    public Generator(LlamaModel model, int prefillChunk) {
        if (prefillChunk < 1) {
            throw new IllegalArgumentException("prefill chunk must be at least 1, got " + prefillChunk);
        }
        this.model = model;
        this.prefillChunk = prefillChunk;
    }

    /**
     * Generates up to {@code maxTokens} tokens after {@code prompt} (which must already hold BOS if the model wants
     * one). Every prompt and generated token is {@link Sampler#accept accepted} by the sampler.
     */
    public Generation generate(int[] prompt, Sampler sampler, int maxTokens, Set<Integer> stopTokens,
                               TokenListener listener) {
        int context = model.shape().contextLength();
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt is empty: it needs at least one token (e.g. BOS)");
        }
        if (prompt.length > context) {
            throw new IllegalArgumentException("the prompt has " + prompt.length + " tokens, more than the model's context of "
                    + context);
        }
        KvStore kv = model.newKvStore((int) Math.min(context, (long) prompt.length + maxTokens));
        for (int token : prompt) {
            sampler.accept(token);
        }
        Logits logits = prefill(kv, prompt);
        int[] generated = new int[Math.max(0, maxTokens)];
        int count = 0;
        int position = prompt.length;
        while (true) {
            if (count == maxTokens) {
                return new Generation(Arrays.copyOf(generated, count), StopReason.LENGTH);
            }
            Sample sample = sampler.sample(logits.array(), logits.offset(0));
            if (stopTokens.contains(sample.token())) {
                return new Generation(Arrays.copyOf(generated, count), StopReason.STOP_TOKEN);
            }
            generated[count++] = sample.token();
            sampler.accept(sample.token());
            if (!listener.onToken(sample)) {
                return new Generation(Arrays.copyOf(generated, count), StopReason.CANCELLED);
            }
            if (count < maxTokens && position == context) {
                return new Generation(Arrays.copyOf(generated, count), StopReason.CONTEXT);
            }
            if (count < maxTokens) {
                logits = model.forward(Batch.single(kv, position++, new int[] {sample.token()}, Batch.Outputs.LAST));
            }
        }
    }

    private Logits prefill(KvStore kv, int[] prompt) {
        Logits logits = null;
        for (int start = 0; start < prompt.length; start += prefillChunk) {
            int end = Math.min(prompt.length, start + prefillChunk);
            Batch.Outputs outputs = end == prompt.length ? Batch.Outputs.LAST : Batch.Outputs.NONE;
            logits = model.forward(Batch.single(kv, start, Arrays.copyOfRange(prompt, start, end), outputs));
        }
        return logits;
    }
}
