package io.starling.registry;

import java.util.List;
import java.util.function.ToIntFunction;
import java.util.random.RandomGenerator;

/** Weighted random choice between the versions of a model: each is picked with probability weight / total. */
public final class TrafficRouter {

    private TrafficRouter() {
    }

    /**
     * One of {@code candidates}, each with probability {@code weight / sum of weights}; null when none has a positive
     * weight. Weights must not be negative.
     */
    public static <T> T pick(List<T> candidates, ToIntFunction<T> weight, RandomGenerator random) {
        long total = 0;
        for (T candidate : candidates) {
            total += weight.applyAsInt(candidate);
        }
        if (total <= 0) {
            return null;
        }
        long ticket = random.nextLong(total);
        for (T candidate : candidates) {
            ticket -= weight.applyAsInt(candidate);
            if (ticket < 0) {
                return candidate;
            }
        }
        throw new IllegalStateException("weights changed while picking");
    }
}
