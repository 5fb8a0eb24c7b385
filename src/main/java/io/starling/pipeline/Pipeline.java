package io.starling.pipeline;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.starling.api.openai.Usage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One configured pipeline at work: its stages run one after another, each over all inputs of a request at once
 * (so the engine gets them together), each input reading what the stage before left in its {@link Carry}. Results
 * of cacheable stages are looked up first and only the misses computed (an input repeated within a request once).
 */
public final class Pipeline {

    private final PipelineSpec spec;
    private final List<Stage> stages;

    Pipeline(PipelineSpec spec) {
        this.spec = spec;
        this.stages = spec.stages().stream().map(Pipeline::stage).toList();
    }

    private static Stage stage(StageSpec spec) {
        return switch (spec) {
            case StageSpec.Tokenize _ -> new TokenizeStage();
            case StageSpec.Embed _ -> new EmbedStage();
            case StageSpec.Classify classify -> classify.method() == StageSpec.Method.LIKELIHOOD
                    ? new LikelihoodClassifier(classify) : new EmbeddingClassifier(classify);
            case StageSpec.Generate generate -> new GenerateStage(generate);
            case StageSpec.Extract extract -> new ExtractStage(extract);
            case StageSpec.Postprocess postprocess -> new PostprocessStage(postprocess);
        };
    }

    public PipelineSpec spec() {
        return spec;
    }

    /** What a run needs besides the request: the shared cache, the meters, the prediction monitor, the tracer. */
    record Services(StageCache cache, PipelineMetrics metrics, PredictionListener predictions, StageTracer tracer) {
    }

    Uni<PipelineResult> run(PipelineRequest request, PipelineEngine engine, Services services) {
        List<String> texts = request.texts();
        List<String> shown = request.shown(spec);
        Progress progress = new Progress(texts);
        Uni<List<Carry>> chain = Uni.createFrom().item(progress.carries);
        for (int s = 0; s < stages.size(); s++) {
            int index = s;
            String name = spec.stages().get(index).name();
            chain = chain.flatMap(carries -> services.tracer().stage(spec.name(), name, () -> stage(index, carries, engine, services))
                    .map(results -> progress.advance(spec.stages().get(index), results, shown, engine, services)));
        }
        return chain.map(carries -> progress.result(engine));
    }

    /** Stage {@code index} over {@code carries}: cached results where there are, the rest computed together. */
    private Uni<List<StageResult>> stage(int index, List<Carry> carries, PipelineEngine engine, Services services) {
        Stage stage = stages.get(index);
        StageSpec stageSpec = spec.stages().get(index);
        String name = stageSpec.name();
        long start = System.nanoTime();
        Uni<List<StageResult>> results;
        if (!stageSpec.cacheable()) {
            results = stage.run(carries, engine);
        } else {
            String[] keys = new String[carries.size()];
            StageResult[] found = new StageResult[carries.size()];
            Map<String, Carry> misses = new LinkedHashMap<>();
            for (int i = 0; i < carries.size(); i++) {
                keys[i] = StageCache.key(engine.modelVersion(), spec, index, carries.get(i));
                found[i] = services.cache().get(keys[i]);
                services.metrics().cache(spec.name(), name, found[i] != null);
                if (found[i] == null) {
                    misses.putIfAbsent(keys[i], carries.get(i));
                }
            }
            List<String> missKeys = List.copyOf(misses.keySet());
            Uni<List<StageResult>> computed = misses.isEmpty() ? Uni.createFrom().item(List.of())
                    : stage.run(List.copyOf(misses.values()), engine);
            results = computed.map(fresh -> {
                Map<String, StageResult> byKey = new HashMap<>();
                for (int m = 0; m < fresh.size(); m++) {
                    byKey.put(missKeys.get(m), fresh.get(m));
                    services.cache().put(missKeys.get(m), fresh.get(m).cached());
                }
                Set<String> counted = new HashSet<>();
                List<StageResult> all = new ArrayList<>(found.length);
                for (int i = 0; i < found.length; i++) {
                    if (found[i] != null) {
                        all.add(found[i]);
                    } else {
                        // an input repeated within the request was computed once: its tokens count once
                        StageResult computedOnce = byKey.get(keys[i]);
                        all.add(counted.add(keys[i]) ? computedOnce : computedOnce.cached());
                    }
                }
                return all;
            });
        }
        // the engine completes a stage on its loop thread: the next stage's tokenizing and hashing must not run there
        return results.onTermination().invoke(() -> services.metrics().stage(spec.name(), name, System.nanoTime() - start))
                .emitOn(Infrastructure.getDefaultWorkerPool());
    }

    /** The per-input state of one run: carries, shown outputs and tokens, advanced stage by stage. */
    private final class Progress {
        private List<Carry> carries;
        private final List<Map<String, Object>> outputs = new ArrayList<>();
        private final int[] promptTokens;
        private final int[] completionTokens;

        Progress(List<String> texts) {
            this.carries = texts.stream().map(Carry::of).toList();
            for (int i = 0; i < texts.size(); i++) {
                outputs.add(new LinkedHashMap<>());
            }
            this.promptTokens = new int[texts.size()];
            this.completionTokens = new int[texts.size()];
        }

        List<Carry> advance(StageSpec stage, List<StageResult> results, List<String> shown, PipelineEngine engine,
                            Services services) {
            String name = stage.name();
            List<Carry> next = new ArrayList<>(results.size());
            for (int i = 0; i < results.size(); i++) {
                StageResult result = results.get(i);
                next.add(result.applyTo(carries.get(i)));
                promptTokens[i] += result.promptTokens();
                completionTokens[i] += result.completionTokens();
                if (shown.contains(name)) {
                    outputs.get(i).put(name, result.output());
                }
                if (stage instanceof StageSpec.Classify) {
                    services.predictions().predicted(engine.modelName(), spec.name(),
                            result.classification().confidence(), result.classification().label());
                } else if (result.output() instanceof StageOutputs.Generated generated) {
                    services.predictions().predicted(engine.modelName(), spec.name(), generated.meanTokenProbability(), null);
                }
            }
            carries = next;
            return next;
        }

        PipelineResult result(PipelineEngine engine) {
            List<PipelineResult.Output> data = new ArrayList<>(carries.size());
            int prompt = 0;
            int completion = 0;
            for (int i = 0; i < carries.size(); i++) {
                Carry carry = carries.get(i);
                Classification classification = carry.classification();
                data.add(new PipelineResult.Output("pipeline.output", i,
                        classification == null ? null : classification.label(),
                        classification == null ? null : classification.confidence(),
                        carry.text(), outputs.get(i), Usage.of(promptTokens[i], completionTokens[i])));
                prompt += promptTokens[i];
                completion += completionTokens[i];
            }
            return new PipelineResult("pipeline.result", spec.name(), engine.text().model().id(), data,
                    Usage.of(prompt, completion));
        }
    }
}
