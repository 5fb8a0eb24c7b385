package io.starling.api.pipeline;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** The embedded stories260K model with a few pipelines: the seed classify pipeline, embedding, generate + extract. */
public class PipelineProfile implements QuarkusTestProfile {

    static final String TEMPLATE = "Lily was sad. Tom was happy. Once upon a time, {input} The cat felt";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.ofEntries(
                Map.entry("starling.pipelines.mood.stages", "tokenize,embed,classify,postprocess"),
                Map.entry("starling.pipelines.mood.classify.labels", "happy,sad,angry"),
                Map.entry("starling.pipelines.mood.classify.template", TEMPLATE),
                Map.entry("starling.pipelines.mood.postprocess.rename", "happy:positive,sad:negative"),
                Map.entry("starling.pipelines.nearest.stages", "embed,classify"),
                Map.entry("starling.pipelines.nearest.classify.method", "embedding"),
                Map.entry("starling.pipelines.nearest.classify.labels", "a big dog,the sun in the sky,a little girl"),
                Map.entry("starling.pipelines.nearest.classify.temperature", "0.1"),
                Map.entry("starling.pipelines.story.stages", "generate,extract"),
                Map.entry("starling.pipelines.story.generate.template", "Once upon a time, {input}"),
                Map.entry("starling.pipelines.story.generate.max-tokens", "12"),
                Map.entry("starling.pipelines.story.extract.regex", "([A-Za-z]+)\\."));
    }
}
