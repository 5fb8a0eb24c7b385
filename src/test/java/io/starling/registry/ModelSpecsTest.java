package io.starling.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.EnvConfigSource;
import io.starling.config.StarlingConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The configuration of several models and versions, from the example file and from env vars. */
class ModelSpecsTest {

    private static StarlingConfig config(org.eclipse.microprofile.config.spi.ConfigSource... sources) {
        SmallRyeConfig config = new SmallRyeConfigBuilder().addDefaultInterceptors().addDiscoveredConverters()
                .withMapping(StarlingConfig.class).withSources(sources).build();
        return config.getConfigMapping(StarlingConfig.class);
    }

    @Test
    void theExampleFileConfiguresTwoVersionsAndASecondModel() throws Exception {
        StarlingConfig config = config(new PropertiesConfigSource(
                Path.of("config/models.example.properties").toUri().toURL(), 250));
        List<ModelSpec> specs = ModelSpecs.fromConfig(config);

        assertThat(specs).extracting(ModelSpec::id).containsExactly("stories@1", "tinyllama@1", "tinyllama@2");
        ModelSpec v1 = specs.get(1);
        assertThat(v1.weight()).isEqualTo(90);
        assertThat(v1.source()).isEqualTo("/models/tinyllama-1.1b-chat.Q4_0.gguf");
        assertThat(v1.scheduler().maxBatchSize()).isEqualTo(8);
        assertThat(v1.kv().capacityBytes()).isEqualTo(256L << 20);
        ModelSpec v2 = specs.get(2);
        assertThat(v2.weight()).isEqualTo(10);
        assertThat(v2.sha256()).hasValue("3f86ab7a9f39a9461d239211e1e07e76c1d483d04261bec3da7d8256370a082b");
        assertThat(v2.kv().maxSessions()).isEqualTo(16);
        assertThat(v2.kv().spillPath()).hasValue(Path.of("/var/cache/starling/tl2.spill"));
        assertThat(v2.scheduler().maxBatchSize()).as("the global default").isEqualTo(16);
        ModelSpec stories = specs.get(0);
        assertThat(stories.weight()).isEqualTo(100);
        assertThat(stories.kv().capacityBytes()).as("the global starling.kv.cache-mb").isEqualTo(256L << 20);
        assertThat(config.defaultModel()).hasValue("tinyllama");
        assertThat(config.memoryBudgetMb()).hasValue(4096L);
        assertThat(config.auth().adminKeys()).hasValue(List.of("change-me-admin-key"));
    }

    @Test
    void environmentVariablesConfigureModelsToo() {
        StarlingConfig config = config(new EnvConfigSource(Map.of(
                "STARLING_MODELS_CANARY_NAME", "chat",
                "STARLING_MODELS_CANARY_VERSION", "7",
                "STARLING_MODELS_CANARY_SOURCE", "/models/chat.gguf",
                "STARLING_MODELS_CANARY_WEIGHT", "5",
                "STARLING_MODELS_CANARY_KV_CACHE_MB", "64",
                "STARLING_KV_CACHE_MB", "32"), 300));
        List<ModelSpec> specs = ModelSpecs.fromConfig(config);
        assertThat(specs).extracting(ModelSpec::id).containsExactly("chat@7");
        assertThat(specs.getFirst().weight()).isEqualTo(5);
        assertThat(specs.getFirst().kv().capacityBytes()).isEqualTo(64L << 20);
    }

    @Test
    void aBadEntryNamesItself() {
        StarlingConfig config = config(new PropertiesConfigSource(Map.of(
                "starling.models.bad.source", "/m.gguf", "starling.models.bad.weight", "-3"), "test", 250));
        assertThatThrownBy(() -> ModelSpecs.fromConfig(config)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("starling.models.bad").hasMessageContaining("weight");
    }

    @Test
    void specsRefuseLabelsThatCannotBeIdsAndBadChecksums() {
        ModelSpec ok = new ModelSpec("m", "1", "/m.gguf", Optional.empty(), 1,
                new io.starling.engine.SchedulerSettings(1, 1, 1, 1, 1, Map.of(), false, false),
                io.starling.engine.KvSettings.ofMegabytes(1, 16, io.starling.kv.KvDtype.F16, Optional.empty(), 1, 1,
                        java.time.Duration.ofSeconds(1)));
        assertThat(ok.id()).isEqualTo("m@1");
        assertThatThrownBy(() -> ok.withSource("a@b", "/m.gguf", Optional.empty(), 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ok.withSource("2", "/m.gguf", Optional.of("abc"), 0))
                .hasMessageContaining("64 hex digits");
    }
}
