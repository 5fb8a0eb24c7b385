package io.starling.pipeline;

import io.smallrye.mutiny.Uni;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code classify} by nearest label embedding: the cosine between the text's embedding (the embed stage's, when it
 * ran just before on the same text) and each label's; confidences are the softmax of cosine / temperature. Label
 * embeddings are computed once per model version and kept; the missing ones go to the engine with the request's.
 */
final class EmbeddingClassifier implements Stage {

    private final StageSpec.Classify spec;
    /** model version + NUL + label → the label's embedding. Bounded by versions × labels of this stage. */
    private final Map<String, float[]> labelVectors = new ConcurrentHashMap<>();

    EmbeddingClassifier(StageSpec.Classify spec) {
        this.spec = spec;
    }

    @Override
    public Uni<List<StageResult>> run(List<Carry> inputs, PipelineEngine engine) {
        List<String> labels = spec.labels();
        List<int[]> work = new ArrayList<>();
        List<String> missingLabels = new ArrayList<>();
        for (String label : labels) {
            if (!labelVectors.containsKey(key(engine, label))) {
                missingLabels.add(label);
                work.add(StageTokens.prompt(engine.text(), label, 0, "classify"));
            }
        }
        int[] inputWork = new int[inputs.size()];
        int[] inputTokens = new int[inputs.size()];
        for (int i = 0; i < inputs.size(); i++) {
            Carry carry = inputs.get(i);
            inputWork[i] = -1;
            if (carry.embedding() == null) {
                int[] ids = StageTokens.prompt(engine.text(), carry.text(), 0, "classify");
                inputWork[i] = work.size();
                inputTokens[i] = ids.length;
                work.add(ids);
            }
        }
        Uni<List<float[]>> computed = work.isEmpty() ? Uni.createFrom().item(List.of()) : engine.embedAll(work);
        return computed.map(vectors -> {
            for (int l = 0; l < missingLabels.size(); l++) {
                labelVectors.putIfAbsent(key(engine, missingLabels.get(l)), vectors.get(l));
            }
            List<StageResult> results = new ArrayList<>(inputs.size());
            for (int i = 0; i < inputs.size(); i++) {
                float[] vector = inputWork[i] < 0 ? inputs.get(i).embedding() : vectors.get(inputWork[i]);
                double[] logits = new double[labels.size()];
                for (int l = 0; l < labels.size(); l++) {
                    logits[l] = cosine(vector, labelVectors.get(key(engine, labels.get(l)))) / spec.temperature();
                }
                results.add(Classification.softmax(labels, logits).asResult(inputTokens[i]));
            }
            return results;
        });
    }

    private static String key(PipelineEngine engine, String label) {
        return engine.modelVersion() + "\0" + label;
    }

    static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb);
    }
}
