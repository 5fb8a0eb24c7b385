package io.starling.api.admin;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.starling.registry.EmbeddedModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A server with two versions of model {@code tiny} split 80/20 (v1 the embedded stories260K Q8_0, v2 the shared
 * f32 file, or the embedded file again when the shared models are absent: the versions still answer under their own
 * fingerprints), user and admin keys, small KV caps and a memory budget.
 */
public class MultiModelProfile implements QuarkusTestProfile {

    static final String USER_KEY = "user-key-1";
    static final String ADMIN_KEY = "admin-key-1";
    /** Per version: the weights file (under 1.2 MB) plus its 2 MiB KV cap. */
    static final int BUDGET_MB = 24;

    static Path embedded() {
        return EmbeddedModel.extractTo(Path.of(System.getProperty("java.io.tmpdir")));
    }

    /** The second file: the shared f32 model when present (other weights, same answers' shape). */
    static Path second() {
        Path shared = Path.of(System.getProperty("starling-test-models", "../shared/models"))
                .resolve("stories260K-f32.gguf").toAbsolutePath().normalize();
        return Files.isRegularFile(shared) ? shared : embedded();
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> config = new HashMap<>();
        config.put("starling.models.tiny-1.name", "tiny");
        config.put("starling.models.tiny-1.version", "1");
        config.put("starling.models.tiny-1.source", embedded().toString());
        config.put("starling.models.tiny-1.weight", "80");
        config.put("starling.models.tiny-1.kv-cache-mb", "2");
        config.put("starling.models.tiny-2.name", "tiny");
        config.put("starling.models.tiny-2.version", "2");
        config.put("starling.models.tiny-2.source", second().toUri().toString());
        config.put("starling.models.tiny-2.weight", "20");
        config.put("starling.models.tiny-2.kv-cache-mb", "2");
        config.put("starling.default-model", "tiny");
        config.put("starling.kv.cache-mb", "2");
        config.put("starling.memory-budget-mb", Integer.toString(BUDGET_MB));
        config.put("starling.auth.api-keys", USER_KEY);
        config.put("starling.auth.admin-keys", ADMIN_KEY);
        config.put("starling.server.drain-timeout", "20s");
        try {
            config.put("starling.model-cache", Files.createTempDirectory("starling-cache").toString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return config;
    }
}
