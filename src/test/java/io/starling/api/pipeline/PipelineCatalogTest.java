package io.starling.api.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.starling.config.StarlingConfig;
import io.starling.pipeline.PipelineConfig;
import io.starling.pipeline.PipelineSpec;
import io.starling.pipeline.StageSpec;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The server's way to the definitions: SmallRye Config's mapping, env vars included, then PipelineConfig. */
class PipelineCatalogTest {

    @Test
    void envVarsDefinePipelinesAndOverrideTheFile() {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withMapping(StarlingConfig.class)
                .withConverter(java.time.Duration.class, 100, new io.quarkus.runtime.configuration.DurationConverter())
                .withSources(new PropertiesConfigSource(Map.of(
                        "starling.pipelines.sentiment.stages", "tokenize,classify",
                        "starling.pipelines.sentiment.classify.labels", "good,bad",
                        "starling.pipelines.sentiment.classify.template", "{input} It was"), "file", 250))
                .withSources(new EnvConfigSource(Map.of(
                        "STARLING_PIPELINES_SENTIMENT_CLASSIFY_LABELS", "positive,negative,neutral",
                        "STARLING_PIPELINES_TOPIC_STAGES", "embed,classify",
                        "STARLING_PIPELINES_TOPIC_CLASSIFY_METHOD", "embedding",
                        "STARLING_PIPELINES_TOPIC_CLASSIFY_LABELS", "sport,news"), 300))
                .build();
        Map<String, PipelineSpec> pipelines = PipelineConfig.parse(
                PipelineCatalog.flatten(config.getConfigMapping(StarlingConfig.class).pipelines()), Map.of());
        assertThat(pipelines).containsOnlyKeys("sentiment", "topic");
        StageSpec.Classify sentiment = (StageSpec.Classify) pipelines.get("sentiment").stages().get(1);
        assertThat(sentiment.labels()).containsExactly("positive", "negative", "neutral");
        assertThat(sentiment.template()).isEqualTo("{input} It was");
        assertThat(((StageSpec.Classify) pipelines.get("topic").stages().get(1)).method()).isEqualTo(StageSpec.Method.EMBEDDING);
    }
}
