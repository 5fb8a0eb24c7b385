package io.starling.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

class TrafficRouterTest {

    @org.junit.jupiter.api.Test
    void eightyTwentySplitStaysWithinStatisticalBounds() {
        Map<String, Integer> weights = Map.of("v1", 80, "v2", 20);
        SplittableRandom random = new SplittableRandom(42);
        int picks = 10_000;
        int v1 = 0;
        for (int i = 0; i < picks; i++) {
            if (TrafficRouter.pick(List.of("v1", "v2"), weights::get, random).equals("v1")) {
                v1++;
            }
        }
        // binomial(10000, 0.8): sd = 40; five sd either side
        assertThat(v1).isBetween(8000 - 200, 8000 + 200);
    }

    @org.junit.jupiter.api.Test
    void aZeroWeightIsNeverPickedAndAllZeroPicksNothing() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 1000; i++) {
            assertThat(TrafficRouter.pick(List.of("a", "b", "c"), v -> v.equals("b") ? 5 : 0, random)).isEqualTo("b");
        }
        assertThat(TrafficRouter.pick(List.of("a", "b"), v -> 0, random)).isNull();
        assertThat(TrafficRouter.pick(List.<String>of(), v -> 1, random)).isNull();
    }

    @org.junit.jupiter.api.Test
    void everyVersionGetsItsShareOfThree() {
        Map<String, Integer> weights = Map.of("a", 1, "b", 2, "c", 7);
        SplittableRandom random = new SplittableRandom(1);
        Map<String, Integer> counts = new java.util.HashMap<>();
        for (int i = 0; i < 10_000; i++) {
            counts.merge(TrafficRouter.pick(List.of("a", "b", "c"), weights::get, random), 1, Integer::sum);
        }
        // sd <= 46 for each; five sd
        assertThat(counts.get("a")).isBetween(1000 - 230, 1000 + 230);
        assertThat(counts.get("b")).isBetween(2000 - 230, 2000 + 230);
        assertThat(counts.get("c")).isBetween(7000 - 230, 7000 + 230);
    }

    @org.junit.jupiter.api.Test
    void budgetRefusesWhatDoesNotFitAndTakesNothingThen() {
        MemoryBudget budget = new MemoryBudget(100);
        budget.reserve(60, "a@1");
        assertThatThrownBy(() -> budget.reserve(41, "b@1")).isInstanceOf(MemoryBudget.BudgetExceededException.class)
                .hasMessageContaining("b@1").hasMessageContaining("memory budget");
        assertThat(budget.usedBytes()).isEqualTo(60);
        budget.release(60);
        budget.reserve(100, "b@1");
        assertThat(budget.usedBytes()).isEqualTo(100);
    }
}
