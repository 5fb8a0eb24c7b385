package io.starling.api.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.starling.engine.InferenceEngine;
import io.starling.registry.MemoryBudget;
import io.starling.registry.ModelDeployment;
import io.starling.registry.ModelRegistry;
import java.util.List;

/** What the admin API shows of deployed model versions. */
final class AdminViews {

    private AdminViews() {
    }

    /**
     * One version.
     *
     * @param reason          why it failed (only when {@code state} is failed)
     * @param weight          its share of the name's traffic, relative to its siblings' weights
     * @param weightsBytes    the mapped weights file (0 until loaded)
     * @param kvCacheCapBytes its KV cache's cap; {@code kvCacheBytes} what the arena holds now
     * @param inFlight        API requests it is serving now
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ModelView(String id, String name, String version, String state, String reason, String source, String sha256,
                     int weight, long weightsBytes, long kvCacheCapBytes, long kvCacheBytes, int inFlight) {
    }

    /** @param memory the budget, on the full listing only */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ModelList(String object, List<ModelView> data, Memory memory) {
    }

    /** @param budgetBytes null when there is no budget */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Memory(Long budgetBytes, long reservedBytes) {
    }

    static ModelList list(ModelRegistry registry) {
        MemoryBudget budget = registry.budget();
        return new ModelList("list", registry.all().stream().map(d -> of(d, registry)).toList(),
                new Memory(budget.limited() ? budget.limitBytes() : null, budget.usedBytes()));
    }

    static ModelView of(ModelDeployment d, ModelRegistry registry) {
        InferenceEngine engine = d.engine();
        return new ModelView(d.id(), d.name(), d.version(), d.state().wireName(), d.failure(), d.spec().source(),
                d.spec().sha256().orElse(null), registry.weights(d.name()).getOrDefault(d.version(), 0),
                d.weightsBytes(), d.spec().kvBytes(),
                engine == null ? 0 : d.kvStats().allocatedBytes(), d.requests());
    }
}
