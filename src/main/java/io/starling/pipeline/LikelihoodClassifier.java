package io.starling.pipeline;

import io.smallrye.mutiny.Uni;
import io.starling.api.error.ApiException;
import io.starling.engine.GenerationEvent;
import io.starling.engine.GenerationRequest;
import io.starling.engine.ModelText;
import io.starling.sampling.SamplerConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code classify} by likelihood: for every label, the model's log-probability of the label's tokens after the
 * prompt template, {@code log P(" " + label | prompt)}, summed over the label's tokens; the confidences are the
 * softmax of those sums over the labels, i.e. the probability of each label given that the answer is one of them.
 * The sums are not length-normalised: a per-token mean would no longer be the probability of the label's text, and
 * the softmax of such means is not a distribution the model actually assigns.
 *
 * <p>Every (input, label) pair is one scoring job (prompt logprobs, no generated token); all jobs of a request are
 * handed to the engine together, so the scheduler prefills them in shared batches.
 */
final class LikelihoodClassifier implements Stage {

    private final StageSpec.Classify spec;

    LikelihoodClassifier(StageSpec.Classify spec) {
        this.spec = spec;
    }

    @Override
    public Uni<List<StageResult>> run(List<Carry> inputs, PipelineEngine engine) {
        List<String> labels = spec.labels();
        List<GenerationRequest> jobs = new ArrayList<>(inputs.size() * labels.size());
        List<Integer> firstScored = new ArrayList<>(jobs.size());
        for (Carry carry : inputs) {
            String prompt = carry.fill(spec.template());
            int[] context = StageTokens.of(engine.text(), prompt);
            for (String label : labels) {
                int[] scored = StageTokens.prompt(engine.text(), continued(prompt, label), 0, "classify");
                int from = labelStart(engine.text(), context, scored, label);
                jobs.add(new GenerationRequest(scored, SamplerConfig.greedy(), 0, 1, List.of(), 0));
                firstScored.add(from);
            }
        }
        return engine.generateAll(jobs).map(all -> {
            List<StageResult> results = new ArrayList<>(inputs.size());
            for (int i = 0; i < inputs.size(); i++) {
                double[] logLikelihoods = new double[labels.size()];
                int tokens = 0;
                for (int l = 0; l < labels.size(); l++) {
                    int job = i * labels.size() + l;
                    logLikelihoods[l] = labelLogprob(all.get(job), firstScored.get(job));
                    tokens += jobs.get(job).promptLength();
                }
                results.add(Classification.softmax(labels, logLikelihoods).asResult(tokens));
            }
            return results;
        });
    }

    /** The text a label's score is read from: the prompt, one space, the label. */
    static String continued(String prompt, String label) {
        return prompt + " " + label;
    }

    /**
     * Where the label's tokens start in {@code scored}: after the longest prefix it shares with the prompt's own
     * tokens. When the tokenizer merges the prompt's last characters with the label's first, the merged token is
     * scored with the label (it is where the texts differ); the first token is never scorable (nothing precedes it).
     */
    static int labelStart(ModelText.Text text, int[] context, int[] scored, String label) {
        int shared = 0;
        while (shared < context.length && shared < scored.length && context[shared] == scored[shared]) {
            shared++;
        }
        if (shared == 0 || shared == scored.length) {
            throw ApiException.invalid("input", "the classify template and label '" + label + "' tokenize so that "
                    + "the label has no scorable tokens (model " + text.model().id() + ")");
        }
        return shared;
    }

    /** The sum of the scored tokens' log-probabilities from {@code from} on. */
    private static double labelLogprob(List<GenerationEvent> events, int from) {
        for (GenerationEvent event : events) {
            if (event instanceof GenerationEvent.PromptScores scores) {
                double sum = 0;
                for (int t = from; t < scores.tokens().size(); t++) {
                    sum += scores.tokens().get(t).logprob();
                }
                return sum;
            }
        }
        throw new IllegalStateException("the engine answered a scoring job without its prompt scores");
    }
}
