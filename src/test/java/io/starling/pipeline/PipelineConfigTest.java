package io.starling.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PipelineConfigTest {

    private static final String P = "starling.pipelines.";

    @Test
    void theSeedPipelineWithItsDefaults() {
        Map<String, PipelineSpec> pipelines = PipelineConfig.parse(Map.of(
                P + "sentiment.model", "tinyllama",
                P + "sentiment.stages", "tokenize, embed,classify,postprocess",
                P + "sentiment.classify.labels", "positive,negative",
                P + "sentiment.postprocess.min-confidence", "0.6",
                P + "sentiment.postprocess.fallback-label", "unsure",
                "starling.model", "ignored.gguf"), Map.of());
        PipelineSpec spec = pipelines.get("sentiment");
        assertThat(spec.model()).isEqualTo("tinyllama");
        assertThat(spec.stageNames()).containsExactly("tokenize", "embed", "classify", "postprocess");
        StageSpec.Classify classify = (StageSpec.Classify) spec.stages().get(2);
        assertThat(classify.labels()).containsExactly("positive", "negative");
        assertThat(classify.method()).isEqualTo(StageSpec.Method.LIKELIHOOD);
        assertThat(classify.template()).isEqualTo(PipelineConfig.DEFAULT_CLASSIFY_TEMPLATE);
        assertThat(spec.stages().get(3)).isEqualTo(new StageSpec.Postprocess(0.6, "unsure", Map.of()));
    }

    @Test
    void environmentVariablesDefineAndOverrideKeys() {
        Map<String, PipelineSpec> pipelines = PipelineConfig.parse(Map.of(
                P + "my-qa.stages", "generate,extract",
                P + "my-qa.extract.regex", "x"), Map.of(
                "STARLING_PIPELINES_MY_QA_EXTRACT_REGEX", "answer: (\\w+)",
                "STARLING_PIPELINES_MY_QA_GENERATE_MAX_TOKENS", "8",
                "STARLING_PIPELINES_TOPIC_STAGES", "classify",
                "STARLING_PIPELINES_TOPIC_CLASSIFY_LABELS", "sport,politics",
                "STARLING_PIPELINES_TOPIC_CLASSIFY_METHOD", "embedding",
                "PATH", "/usr/bin"));
        assertThat(pipelines).containsOnlyKeys("my-qa", "topic");
        StageSpec.Generate generate = (StageSpec.Generate) pipelines.get("my-qa").stages().get(0);
        assertThat(generate.maxTokens()).isEqualTo(8);
        assertThat(generate.greedy()).isTrue();
        StageSpec.Extract extract = (StageSpec.Extract) pipelines.get("my-qa").stages().get(1);
        assertThat(extract.regex().pattern()).isEqualTo("answer: (\\w+)");
        assertThat(extract.group()).isEqualTo(1);
        StageSpec.Classify topic = (StageSpec.Classify) pipelines.get("topic").stages().get(0);
        assertThat(topic.method()).isEqualTo(StageSpec.Method.EMBEDDING);
        assertThat(topic.temperature()).isEqualTo(PipelineConfig.DEFAULT_EMBEDDING_TEMPERATURE);
    }

    @Test
    void everyMistakeNamesItsKey() {
        record Case(Map<String, String> keys, String key, String says) {
        }
        List<Case> cases = List.of(
                new Case(Map.of(P + "a.model", "m"), P + "a.stages", "is required"),
                new Case(Map.of(P + "a.stages", "tokenize,sort"), P + "a.stages", "unknown stage 'sort'"),
                new Case(Map.of(P + "a.stages", "tokenize,tokenize"), P + "a.stages", "appears twice"),
                new Case(Map.of(P + "a.stages", "classify"), P + "a.classify.labels", "at least two"),
                new Case(Map.of(P + "a.stages", "classify", P + "a.classify.labels", "x,x"), P + "a.classify.labels", "different"),
                new Case(Map.of(P + "a.stages", "classify", P + "a.classify.labels", "x,y", P + "a.classify.method", "vote"),
                        P + "a.classify.method", "likelihood or embedding"),
                new Case(Map.of(P + "a.stages", "classify", P + "a.classify.labels", "x,y", P + "a.classify.template", "no placeholder"),
                        P + "a.classify.template", "{input}"),
                new Case(Map.of(P + "a.stages", "classify", P + "a.classify.labels", "x,y", P + "a.classify.temperature", "0.1"),
                        P + "a.classify.temperature", "only the embedding method"),
                new Case(Map.of(P + "a.stages", "tokenize", P + "a.generate.max-tokens", "5"), P + "a.generate.max-tokens",
                        "'generate' is not in"),
                new Case(Map.of(P + "a.stages", "generate", P + "a.generate.max-tokens", "five"), P + "a.generate.max-tokens",
                        "whole number"),
                new Case(Map.of(P + "a.stages", "generate", P + "a.generate.top-p", "2"), P + "a.generate.top-p", "between"),
                new Case(Map.of(P + "a.stages", "extract"), P + "a.extract.json-field", "exactly one"),
                new Case(Map.of(P + "a.stages", "extract", P + "a.extract.regex", "(("), P + "a.extract.regex", "no valid"),
                new Case(Map.of(P + "a.stages", "extract", P + "a.extract.regex", "x", P + "a.extract.group", "1"),
                        P + "a.extract.group", "between 0 and 0"),
                new Case(Map.of(P + "a.stages", "tokenize,postprocess"), P + "a.stages", "put classify before it"),
                new Case(Map.of(P + "a.stages", "classify,postprocess", P + "a.classify.labels", "x,y",
                        P + "a.postprocess.min-confidence", "0.5"), P + "a.postprocess.fallback-label", "is required"),
                new Case(Map.of(P + "a.stages", "tokenize", P + "a.tokenize.foo", "1"), P + "a.tokenize.foo", "unknown pipeline key"),
                new Case(Map.of(P + "a b.stages", "tokenize"), P + "a b.stages", "must be letters"));
        for (Case c : cases) {
            assertThatThrownBy(() -> PipelineConfig.parse(c.keys(), Map.of())).as(c.keys().toString())
                    .isInstanceOf(PipelineConfigException.class)
                    .hasMessageStartingWith(c.key() + ": ").hasMessageContaining(c.says());
        }
        assertThatThrownBy(() -> PipelineConfig.parse(Map.of(), Map.of("STARLING_PIPELINES_A_COLOUR", "red")))
                .hasMessageStartingWith("STARLING_PIPELINES_A_COLOUR: unknown pipeline variable");
    }

    /** The documented example file parses into the pipelines it describes. */
    @Test
    void theExampleFileIsValid() throws java.io.IOException {
        java.util.Properties example = new java.util.Properties();
        try (var reader = java.nio.file.Files.newBufferedReader(java.nio.file.Path.of("config/pipelines.example.properties"))) {
            example.load(reader);
        }
        Map<String, String> keys = new java.util.HashMap<>();
        example.stringPropertyNames().forEach(key -> keys.put(key, example.getProperty(key)));
        Map<String, PipelineSpec> pipelines = PipelineConfig.parse(keys, Map.of());
        assertThat(pipelines).containsOnlyKeys("sentiment", "topic", "extract-city");
        assertThat(pipelines.get("sentiment").stageNames()).containsExactly("tokenize", "embed", "classify", "postprocess");
        assertThat(((StageSpec.Classify) pipelines.get("sentiment").stages().get(2)).template())
                .isEqualTo("Review: {input}\nSentiment:");
    }
}
