package io.starling.pipeline;

import io.smallrye.mutiny.Uni;
import io.starling.engine.GenerationEvent;
import io.starling.engine.GenerationRequest;
import io.starling.sampling.SamplerConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code generate}: the engine's continuation of the prompt template, sampled as configured (greedy at temperature
 * 0, the default, which makes the stage deterministic and cacheable). All inputs' jobs go to the engine together.
 * The completion becomes the text; its mean token probability is its confidence.
 */
final class GenerateStage implements Stage {

    private final StageSpec.Generate spec;

    GenerateStage(StageSpec.Generate spec) {
        this.spec = spec;
    }

    @Override
    public Uni<List<StageResult>> run(List<Carry> inputs, PipelineEngine engine) {
        // every generated token carries its logprob: their mean probability is the generation's confidence
        SamplerConfig sampling = SamplerConfig.sampling(spec.temperature(), spec.seed()).withTopP(spec.topP());
        List<GenerationRequest> jobs = new ArrayList<>(inputs.size());
        for (Carry carry : inputs) {
            int[] prompt = StageTokens.prompt(engine.text(), carry.fill(spec.template()), spec.maxTokens(), "generate");
            jobs.add(new GenerationRequest(prompt, sampling, spec.maxTokens(), 1, spec.stop(), -1));
        }
        return engine.generateAll(jobs).map(all -> all.stream().map(GenerateStage::result).toList());
    }

    private static StageResult result(List<GenerationEvent> events) {
        StringBuilder text = new StringBuilder();
        double probabilities = 0;
        int tokens = 0;
        String finish = null;
        GenerationEvent.Completed usage = null;
        for (GenerationEvent event : events) {
            switch (event) {
                case GenerationEvent.GeneratedToken token -> {
                    text.append(token.text());
                    probabilities += Math.exp(token.logprob());
                    tokens++;
                }
                case GenerationEvent.SequenceEnd end -> {
                    text.append(end.text());
                    finish = end.reason().wireName();
                }
                case GenerationEvent.Completed completed -> usage = completed;
                default -> {
                }
            }
        }
        if (usage == null) {
            throw new IllegalStateException("the engine ended a generation without its Completed event");
        }
        String completion = text.toString();
        double mean = tokens == 0 ? 0 : probabilities / tokens;
        return new StageResult(new StageOutputs.Generated(completion, finish, mean), completion, null, null,
                usage.promptTokens(), usage.completionTokens());
    }
}
