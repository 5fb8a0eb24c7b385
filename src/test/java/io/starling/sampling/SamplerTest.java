package io.starling.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SamplerTest {

    private static final float[] LOGITS = {1.0f, 3.0f, 2.5f, 0.5f, 3.0f, -1.0f, 2.0f, 0.0f};

    @Test
    void greedyTakesTheArgmaxWithTiesToTheLowestId() {
        Sampler sampler = new Sampler(SamplerConfig.greedy(), LOGITS.length);
        assertThat(sampler.sample(LOGITS, 0).token()).isEqualTo(1);
    }

    @Test
    void maskedTokensAreNeverChosen() {
        Sampler greedy = new Sampler(SamplerConfig.greedy().withMaskedTokens(1, 4), LOGITS.length);
        assertThat(greedy.sample(LOGITS, 0).token()).isEqualTo(2);

        Sampler sampling = new Sampler(SamplerConfig.sampling(5f, 7).withMaskedTokens(1, 4), LOGITS.length);
        for (int i = 0; i < 500; i++) {
            assertThat(sampling.sample(LOGITS, 0).token()).isNotIn(1, 4);
        }
    }

    @Test
    void everyTokenMaskedIsAnError() {
        Sampler sampler = new Sampler(SamplerConfig.greedy().withMaskedTokens(0, 1), 2);
        assertThatThrownBy(() -> sampler.sample(new float[] {1f, 2f}, 0)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void sameSeedAndRequestGiveTheSameTokensAndAnotherSeedDiffers() {
        SamplerConfig config = SamplerConfig.sampling(1.5f, 42).withTopK(6).withTopP(0.95f)
                .withPenalties(1.1f, 16, 0.1f, 0.1f);
        int[] first = run(config);
        assertThat(run(config)).containsExactly(first);
        assertThat(run(SamplerConfig.sampling(1.5f, 43).withTopK(6).withTopP(0.95f).withPenalties(1.1f, 16, 0.1f, 0.1f)))
                .isNotEqualTo(first);
    }

    @Test
    void samplersSharingScratchInterleavedSampleWhatTheyWouldAlone() {
        SamplerConfig a = SamplerConfig.sampling(1.5f, 42).withTopK(6).withTopP(0.95f).withPenalties(1.1f, 16, 0.1f, 0.1f);
        SamplerConfig b = SamplerConfig.sampling(0.8f, 7).withTopP(0.9f).withPenalties(1.3f, 4, 0f, 0.4f).withLogprobs(3);
        SamplingScratch scratch = new SamplingScratch(LOGITS.length);
        Sampler first = new Sampler(a, scratch);
        Sampler second = new Sampler(b, scratch);
        int[] firstTokens = new int[64];
        int[] secondTokens = new int[64];
        for (int i = 0; i < 64; i++) {
            firstTokens[i] = first.sample(LOGITS, 0).token();
            first.accept(firstTokens[i]);
            secondTokens[i] = second.sample(LOGITS, 0).token();
            second.accept(secondTokens[i]);
        }
        assertThat(firstTokens).containsExactly(run(a));
        assertThat(secondTokens).containsExactly(run(b));
    }

    private static int[] run(SamplerConfig config) {
        Sampler sampler = new Sampler(config, LOGITS.length);
        int[] tokens = new int[64];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = sampler.sample(LOGITS, 0).token();
            sampler.accept(tokens[i]);
        }
        return tokens;
    }

    @Test
    void repetitionPenaltyDividesPositiveAndMultipliesNegativeLogitsOfSeenTokensOnce() {
        float[] logits = {2.0f, 1.9f, -1.0f, -1.1f};
        Sampler sampler = new Sampler(SamplerConfig.greedy().withPenalties(1.5f, 8, 0f, 0f), 4);
        sampler.accept(0);
        sampler.accept(0);
        // 2.0 / 1.5 = 1.33 < 1.9: token 1 wins
        assertThat(sampler.sample(logits, 0).token()).isEqualTo(1);
        sampler.accept(1);
        // both penalised once: 1.33 (token 0 once although it occurs twice) beats 1.9 / 1.5 = 1.27
        assertThat(sampler.sample(logits, 0).token()).isEqualTo(0);
    }

    @Test
    void repetitionPenaltyOnlySeesTheWindow() {
        float[] logits = {2.0f, 1.9f};
        Sampler sampler = new Sampler(SamplerConfig.greedy().withPenalties(1.5f, 2, 0f, 0f), 2);
        sampler.accept(0);
        assertThat(sampler.sample(logits, 0).token()).isEqualTo(1);
        sampler.accept(1);
        sampler.accept(1);
        // token 0 has left the two-token window
        assertThat(sampler.sample(logits, 0).token()).isEqualTo(0);
    }

    @Test
    void frequencyAndPresencePenaltiesSubtractPerOccurrenceAndOnce() {
        float[] logits = {2.0f, 1.0f, 0.0f};
        Sampler frequency = new Sampler(SamplerConfig.greedy().withPenalties(1f, 8, 0.6f, 0f), 3);
        frequency.accept(0);
        assertThat(frequency.sample(logits, 0).token()).isEqualTo(0); // 2.0 - 0.6 = 1.4 > 1.0
        frequency.accept(0);
        assertThat(frequency.sample(logits, 0).token()).isEqualTo(1); // 2.0 - 1.2 = 0.8 < 1.0

        Sampler presence = new Sampler(SamplerConfig.greedy().withPenalties(1f, 8, 0f, 0.6f), 3);
        presence.accept(0);
        presence.accept(0);
        assertThat(presence.sample(logits, 0).token()).isEqualTo(0); // 2.0 - 0.6 once
    }

    @Test
    void temperatureSharpensOrFlattensTheDistribution() {
        float[] logits = {1.0f, 0.0f};
        double expectedCold = 1 / (1 + Math.exp(-1 / 0.5));
        double expectedHot = 1 / (1 + Math.exp(-1 / 4.0));
        assertThat(frequencyOfToken0(SamplerConfig.sampling(0.5f, 1), logits)).isCloseTo(expectedCold, within(0.02));
        assertThat(frequencyOfToken0(SamplerConfig.sampling(4f, 1), logits)).isCloseTo(expectedHot, within(0.02));
    }

    private static double frequencyOfToken0(SamplerConfig config, float[] logits) {
        Sampler sampler = new Sampler(config, logits.length);
        int hits = 0;
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            if (sampler.sample(logits, 0).token() == 0) {
                hits++;
            }
        }
        return hits / (double) n;
    }

    @Test
    void topKKeepsOnlyTheKMostLikely() {
        Sampler sampler = new Sampler(SamplerConfig.sampling(10f, 3).withTopK(3), LOGITS.length);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 2000; i++) {
            seen.add(sampler.sample(LOGITS, 0).token());
        }
        assertThat(seen).containsExactlyInAnyOrder(1, 4, 2);
    }

    @Test
    void topPKeepsTheSmallestPrefixReachingP() {
        // probabilities 0.5, 0.3, 0.15, 0.05: p = 0.75 needs the first two, p = 0.85 the first three
        float[] logits = {(float) Math.log(0.5), (float) Math.log(0.3), (float) Math.log(0.15), (float) Math.log(0.05)};
        assertThat(tokensSeen(SamplerConfig.sampling(1f, 5).withTopP(0.75f), logits)).containsExactlyInAnyOrder(0, 1);
        assertThat(tokensSeen(SamplerConfig.sampling(1f, 5).withTopP(0.85f), logits)).containsExactlyInAnyOrder(0, 1, 2);
    }

    private static Set<Integer> tokensSeen(SamplerConfig config, float[] logits) {
        Sampler sampler = new Sampler(config, logits.length);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 3000; i++) {
            seen.add(sampler.sample(logits, 0).token());
        }
        return seen;
    }

    @Test
    void logprobsAreTheRawLogSoftmaxWhateverTheStagesDid() {
        float[] logits = {0f, 0f, 5f, 1f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f};
        int shift = 4;
        float[] row = new float[shift + logits.length];
        System.arraycopy(logits, 0, row, shift, logits.length);
        Sampler sampler = new Sampler(SamplerConfig.greedy().withMaskedTokens(2).withLogprobs(3), logits.length);
        Sample sample = sampler.sample(row, shift);

        double logSum = Math.log(Math.exp(5) + Math.exp(1) + 10);
        assertThat(sample.token()).isEqualTo(3);
        assertThat((double) sample.logprob()).isCloseTo(1 - logSum, within(1e-6));
        assertThat(sample.top()).extracting(TokenLogprob::token).containsExactly(2, 3, 0);
        assertThat((double) sample.top().get(0).logprob()).isCloseTo(5 - logSum, within(1e-6));
        assertThat(row[shift + 2]).as("the caller's logits are untouched").isEqualTo(5f);
    }

    @Test
    void withoutLogprobsTheSampleCarriesItsOwnLogprobButNoAlternatives() {
        Sample sample = new Sampler(SamplerConfig.greedy(), LOGITS.length).sample(LOGITS, 0);
        assertThat((double) sample.logprob())
                .isCloseTo(LOGITS[sample.token()] - referenceLogSumExp(LOGITS, 0, LOGITS.length), within(1e-6));
        assertThat(sample.top()).isEmpty();
    }

    @Test
    void vectorisedLogSumExpMatchesTheDoubleSumOverAVocabulary() {
        Random random = new Random(5);
        for (int n : new int[] {1, 7, 64, 511, 32000, 151936}) {
            float[] row = new float[n + 3];
            for (int i = 0; i < row.length; i++) {
                row[i] = (float) (random.nextGaussian() * 4);
            }
            row[3 + n / 2] = 30f; // one dominant token, as a confident model has
            double expected = referenceLogSumExp(row, 3, n);
            assertThat(LogSoftmax.logSumExp(row, 3, n)).as("n=" + n).isCloseTo(expected, within(1e-5));
        }
    }

    private static double referenceLogSumExp(float[] row, int offset, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, row[offset + i]);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.exp(row[offset + i] - max);
        }
        return max + Math.log(sum);
    }

    @Test
    void partialSelectionOrdersLikeAFullSort() {
        Random random = new Random(11);
        for (int round = 0; round < 200; round++) {
            int n = 1 + random.nextInt(300);
            float[] values = new float[n];
            for (int i = 0; i < n; i++) {
                values[i] = random.nextInt(20) - 10 + (random.nextBoolean() ? 0.5f : 0f); // many ties
            }
            long[] keys = new long[n];
            for (int i = 0; i < n; i++) {
                keys[i] = TopSelection.key(values[i], i);
            }
            int k = 1 + random.nextInt(n);
            TopSelection.selectBest(keys, n, k);
            Integer[] expected = new Integer[n];
            for (int i = 0; i < n; i++) {
                expected[i] = i;
            }
            Arrays.sort(expected, (a, b) -> values[a] != values[b] ? Float.compare(values[b], values[a]) : a - b);
            for (int i = 0; i < k; i++) {
                assertThat(TopSelection.token(keys[i])).isEqualTo(expected[i]);
            }
        }
    }

    @Test
    void heapSelectionKeepsWhatQuickselectKeeps() {
        Random random = new Random(12);
        for (int round = 0; round < 300; round++) {
            int n = 1 + random.nextInt(500);
            long[] all = new long[n];
            for (int i = 0; i < n; i++) {
                // many ties, and the odd infinity and NaN a broken row may hold
                float value = switch (random.nextInt(40)) {
                    case 0 -> Float.NEGATIVE_INFINITY;
                    case 1 -> Float.POSITIVE_INFINITY;
                    case 2 -> Float.NaN;
                    default -> random.nextInt(20) - 10 + (random.nextBoolean() ? 0.5f : 0f);
                };
                all[i] = TopSelection.key(value, random.nextInt(n + 3));
            }
            int k = 1 + random.nextInt(Math.min(n, TopSelection.HEAP_LIMIT));
            long[] heap = new long[k];
            int size = 0;
            for (long key : all) {
                size = TopSelection.offer(heap, size, k, key);
            }
            TopSelection.sortHeap(heap, size);
            long[] selected = all.clone();
            TopSelection.selectBest(selected, n, k);
            assertThat(size).isEqualTo(k);
            assertThat(heap).containsExactly(Arrays.copyOf(selected, k));
        }
    }

    @Test
    void topLogprobsBeyondTheHeapAreTheSameBestFirstList() {
        float[] row = new float[300];
        Random random = new Random(13);
        for (int i = 0; i < row.length; i++) {
            row[i] = random.nextInt(40) / 4f;
        }
        Integer[] order = new Integer[row.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> row[a] != row[b] ? Float.compare(row[b], row[a]) : a - b);
        for (int k : new int[] {1, 5, TopSelection.HEAP_LIMIT, TopSelection.HEAP_LIMIT + 1, 200}) {
            Sampler sampler = new Sampler(SamplerConfig.greedy().withLogprobs(k), row.length);
            assertThat(sampler.sample(row, 0).top()).extracting(TokenLogprob::token)
                    .containsExactly(Arrays.copyOf(order, k));
        }
    }

    @Test
    void invalidConfigurationsAreRejected() {
        assertThatThrownBy(() -> SamplerConfig.sampling(-1f, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SamplerConfig.greedy().withTopP(0f)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SamplerConfig.greedy().withTopK(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Sampler(SamplerConfig.greedy().withMaskedTokens(9), 4))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
