package io.starling.sampling;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/**
 * Picks the next token of one request from a row of logits, in the Starling spec's order:
 * stop/EOS masking → repetition penalty → temperature → top-k → top-p → frequency/presence penalties →
 * seeded multinomial. Temperature 0 takes the argmax after masking and all penalties.
 *
 * <p>One sampler per sequence: it owns the sequence's random generator and token history; the vocabulary-sized work
 * arrays are a {@link SamplingScratch} that samplers used by one thread share, so sampling allocates nothing but its
 * result. Not thread-safe.
 */
public final class Sampler {

    private static final String PRNG = "L64X128MixRandom";

    private final SamplerConfig config;
    private final int vocabSize;
    private final RandomGenerator random;
    private final TokenHistory history;
    private final float[] work;
    private final long[] keys;
    private final int[] candidates;
    private final double[] probabilities;
    private final boolean[] penalised;
    private final int[] masked;

    /** A sampler with work arrays of its own. */
    public Sampler(SamplerConfig config, int vocabSize) {
        this(config, new SamplingScratch(vocabSize));
    }

    /** A sampler working in {@code scratch}, which it shares with other samplers of the same thread. */
    public Sampler(SamplerConfig config, SamplingScratch scratch) {
        int vocabSize = scratch.vocabSize;
        for (int id : config.maskedTokens()) {
            if (id < 0 || id >= vocabSize) {
                throw new IllegalArgumentException("masked token id " + id + " is outside the vocabulary [0, " + vocabSize + ")");
            }
        }
        this.config = config;
        this.vocabSize = vocabSize;
        this.random = RandomGeneratorFactory.of(PRNG).create(config.seed());
        this.history = new TokenHistory(config.penaltyWindow(), vocabSize,
                config.frequencyPenalty() != 0f || config.presencePenalty() != 0f);
        this.work = scratch.work;
        this.keys = scratch.keys;
        this.candidates = scratch.candidates;
        this.probabilities = scratch.probabilities;
        this.penalised = scratch.penalised;
        this.masked = config.maskedTokens();
    }

    public SamplerConfig config() {
        return config;
    }

    /** Records a token of the sequence (prompt or generated) for the penalties. */
    public void accept(int token) {
        if (token < 0 || token >= vocabSize) {
            throw new IllegalArgumentException("token id " + token + " is outside the vocabulary [0, " + vocabSize + ")");
        }
        history.accept(token);
    }

    /**
     * Chooses a token from {@code logits[offset .. offset + vocabSize)}, which it leaves untouched. Does not
     * {@link #accept} the choice: the caller does once it keeps the token.
     *
     * @throws IllegalStateException if every token is masked
     */
    public Sample sample(float[] logits, int offset) {
        System.arraycopy(logits, offset, work, 0, vocabSize);
        for (int id : masked) {
            work[id] = Float.NEGATIVE_INFINITY;
        }
        applyRepetitionPenalty();
        int token;
        if (config.temperature() == 0f) {
            applyFrequencyAndPresencePenalties(allTokens());
            token = argmax();
        } else {
            for (int i = 0; i < vocabSize; i++) {
                work[i] /= config.temperature();
            }
            int survivors = topP(topK());
            applyFrequencyAndPresencePenalties(survivors);
            token = draw(survivors);
        }
        return scored(token, logits, offset);
    }

    private void applyRepetitionPenalty() {
        float penalty = config.repetitionPenalty();
        if (penalty == 1f) {
            return;
        }
        // each distinct token once, however often it occurs
        for (int i = 0; i < history.size(); i++) {
            int token = history.token(i);
            if (!penalised[token]) {
                penalised[token] = true;
                float v = work[token];
                work[token] = v > 0 ? v / penalty : v * penalty;
            }
        }
        for (int i = 0; i < history.size(); i++) {
            penalised[history.token(i)] = false;
        }
    }

    /** Fills {@link #candidates} with every token that can still be chosen; returns how many. */
    private int allTokens() {
        int n = 0;
        for (int i = 0; i < vocabSize; i++) {
            if (work[i] != Float.NEGATIVE_INFINITY) {
                candidates[n++] = i;
            }
        }
        if (n == 0) {
            throw new IllegalStateException("every token is masked: nothing can be sampled");
        }
        return n;
    }

    /** Keeps the K best candidates, best first, when top-k or top-p needs an order; returns how many survive. */
    private int topK() {
        int n = allTokens();
        int k = config.topK() == 0 ? n : Math.min(config.topK(), n);
        if (k == n && config.topP() == 1f) {
            return n;
        }
        // top-p needs the survivors in order; top-k alone only needs the best k, which both selections sort anyway
        if (k <= TopSelection.HEAP_LIMIT) {
            int size = 0;
            for (int i = 0; i < n; i++) {
                size = TopSelection.offer(keys, size, k, TopSelection.key(work[candidates[i]], candidates[i]));
            }
            TopSelection.sortHeap(keys, size);
        } else {
            for (int i = 0; i < n; i++) {
                keys[i] = TopSelection.key(work[candidates[i]], candidates[i]);
            }
            TopSelection.selectBest(keys, n, k);
        }
        for (int i = 0; i < k; i++) {
            candidates[i] = TopSelection.token(keys[i]);
        }
        return k;
    }

    /** Keeps the shortest best-first prefix of the candidates whose probability reaches top-p. */
    private int topP(int n) {
        if (config.topP() == 1f) {
            return n;
        }
        double sum = softmax(n);
        double cumulative = 0;
        for (int i = 0; i < n; i++) {
            cumulative += probabilities[i] / sum;
            if (cumulative >= config.topP()) {
                return i + 1;
            }
        }
        return n;
    }

    private void applyFrequencyAndPresencePenalties(int n) {
        float frequency = config.frequencyPenalty();
        float presence = config.presencePenalty();
        if (frequency == 0f && presence == 0f) {
            return;
        }
        for (int i = 0; i < n; i++) {
            int token = candidates[i];
            int count = history.count(token);
            if (count > 0) {
                work[token] -= count * frequency + presence;
            }
        }
    }

    /** Unnormalised probabilities of the first n candidates into {@link #probabilities}; returns their sum. */
    private double softmax(int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, work[candidates[i]]);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            probabilities[i] = Math.exp(work[candidates[i]] - max);
            sum += probabilities[i];
        }
        return sum;
    }

    private int draw(int n) {
        double sum = softmax(n);
        double target = random.nextDouble() * sum;
        double cumulative = 0;
        for (int i = 0; i < n; i++) {
            cumulative += probabilities[i];
            if (target < cumulative) {
                return candidates[i];
            }
        }
        return candidates[n - 1];
    }

    private int argmax() {
        int best = -1;
        for (int i = 0; i < vocabSize; i++) {
            if (work[i] != Float.NEGATIVE_INFINITY && (best < 0 || work[i] > work[best])) {
                best = i;
            }
        }
        if (best < 0) {
            throw new IllegalStateException("every token is masked: nothing can be sampled");
        }
        return best;
    }

    /**
     * The sample with its log-probability, always: one vectorised pass over the row, a small share of the step that
     * produced it, and what a generation's confidence is made of. The alternatives only when logprobs were asked.
     */
    private Sample scored(int token, float[] logits, int offset) {
        double logSum = LogSoftmax.logSumExp(logits, offset, vocabSize);
        float chosen = (float) (logits[offset + token] - logSum);
        int n = config.logprobs() ? Math.min(config.topLogprobs(), vocabSize) : 0;
        if (n == 0) {
            return new Sample(token, chosen, List.of());
        }
        if (n <= TopSelection.HEAP_LIMIT) {
            int size = 0;
            for (int i = 0; i < vocabSize; i++) {
                size = TopSelection.offer(keys, size, n, TopSelection.key(logits[offset + i], i));
            }
            TopSelection.sortHeap(keys, size);
        } else {
            for (int i = 0; i < vocabSize; i++) {
                keys[i] = TopSelection.key(logits[offset + i], i);
            }
            TopSelection.selectBest(keys, vocabSize, n);
        }
        List<TokenLogprob> top = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int id = TopSelection.token(keys[i]);
            top.add(new TokenLogprob(id, (float) (logits[offset + id] - logSum)));
        }
        return new Sample(token, chosen, top);
    }
}
