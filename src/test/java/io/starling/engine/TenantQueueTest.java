package io.starling.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TenantQueueTest {

    @Test
    void tenantsTakeTurnsInProportionToTheirWeightsInterleaved() {
        Map<String, Integer> weights = Map.of("a", 3);
        TenantQueue<String> queue = new TenantQueue<>(100, t -> weights.getOrDefault(t, 1));
        for (int i = 0; i < 9; i++) {
            queue.offer("a", "a" + i);
        }
        for (int i = 0; i < 3; i++) {
            queue.offer("b", "b" + i);
        }
        List<String> order = drain(queue);
        // weight 3 against 1: a, a, b, a per round of four, never a burst of b nor a long run of a
        assertThat(order).containsExactly("a0", "a1", "b0", "a2", "a3", "a4", "b1", "a5", "a6", "a7", "b2", "a8");
    }

    @Test
    void aLateTenantIsServedBeforeTheFloodThatCameFirst() {
        TenantQueue<String> queue = new TenantQueue<>(100, t -> 1);
        for (int i = 0; i < 5; i++) {
            queue.offer("flood", "f" + i);
        }
        queue.offer("late", "l0");
        assertThat(drain(queue)).containsExactly("f0", "l0", "f1", "f2", "f3", "f4");
    }

    @Test
    void anItemThatDoesNotFitStaysFirstAndChangesNothing() {
        TenantQueue<String> queue = new TenantQueue<>(100, t -> 1);
        queue.offer("a", "big");
        queue.offer("b", "small");
        assertThat(queue.poll(item -> !item.equals("big"))).isNull();
        assertThat(queue.size()).isEqualTo(2);
        assertThat(drain(queue)).containsExactly("big", "small");
    }

    @Test
    void theBoundRefusesAndRemovalMakesRoom() {
        TenantQueue<String> queue = new TenantQueue<>(2, t -> 1);
        assertThat(queue.offer("a", "1")).isTrue();
        assertThat(queue.offer("b", "2")).isTrue();
        assertThat(queue.offer("a", "3")).isFalse();
        List<String> removed = new ArrayList<>();
        queue.removeIf("1"::equals, removed::add);
        assertThat(removed).containsExactly("1");
        assertThat(queue.offer("a", "3")).isTrue();
        assertThat(drain(queue)).containsExactlyInAnyOrder("2", "3");
    }

    @Test
    void backgroundWorkWaitsForInteractiveWorkButGetsATurnAfterEveryFewPicks() {
        TenantQueue<String> queue = new TenantQueue<>(100, t -> 1);
        queue.offer("batch", "b0", Priority.BACKGROUND);
        queue.offer("batch", "b1", Priority.BACKGROUND);
        for (int i = 0; i < TenantQueue.BACKGROUND_EVERY + 2; i++) {
            queue.offer("user", "u" + i);
        }
        assertThat(queue.size()).isEqualTo(TenantQueue.BACKGROUND_EVERY + 2);
        assertThat(queue.size(Priority.BACKGROUND)).isEqualTo(2);
        List<String> order = drain(queue);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < TenantQueue.BACKGROUND_EVERY; i++) {
            expected.add("u" + i);
        }
        expected.addAll(List.of("b0", "u" + TenantQueue.BACKGROUND_EVERY, "u" + (TenantQueue.BACKGROUND_EVERY + 1), "b1"));
        assertThat(order).containsExactlyElementsOf(expected);
    }

    @Test
    void backgroundWorkHasItsOwnBoundAndAWaitingBatchThatDoesNotFitHoldsNoInteractiveWorkBack() {
        TenantQueue<String> queue = new TenantQueue<>(1, t -> 1);
        assertThat(queue.offer("batch", "b0", Priority.BACKGROUND)).isTrue();
        assertThat(queue.offer("batch", "b1", Priority.BACKGROUND)).isFalse();
        assertThat(queue.offer("user", "u0")).isTrue();
        assertThat(queue.poll(item -> !item.startsWith("u"))).as("interactive first, even when it does not fit").isNull();
        assertThat(queue.poll(item -> true)).isEqualTo("u0");
        assertThat(queue.poll(item -> true)).isEqualTo("b0");
    }

    @Test
    void emptyOnlyWhenNeitherInteractiveNorBackgroundWorkWaits() {
        TenantQueue<String> queue = new TenantQueue<>(4, t -> 1);
        assertThat(queue.isEmpty()).isTrue();
        queue.offer("batch", "b0", Priority.BACKGROUND);
        assertThat(queue.size()).as("the interactive depth").isZero();
        assertThat(queue.isEmpty()).as("background work waits").isFalse();
        queue.offer("user", "u0");
        queue.poll(item -> true);
        assertThat(queue.isEmpty()).isFalse();
        queue.poll(item -> true);
        assertThat(queue.isEmpty()).isTrue();
    }

    private static List<String> drain(TenantQueue<String> queue) {
        List<String> out = new ArrayList<>();
        String item;
        while ((item = queue.poll(i -> true)) != null) {
            out.add(item);
        }
        return out;
    }
}
