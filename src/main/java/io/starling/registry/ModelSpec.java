package io.starling.registry;

import io.starling.engine.KvSettings;
import io.starling.engine.SchedulerSettings;
import java.util.Optional;

/**
 * One model version to deploy: what clients call it, where its weights come from, and the engine settings it runs
 * with (the global {@code starling.scheduler/kv/sessions} ones unless the model overrides them).
 *
 * @param sha256 the expected SHA-256 of the file, or empty to trust the local file as it is
 * @param weight its initial share of the name's traffic, relative to the other versions' weights
 */
public record ModelSpec(String name, String version, String source, Optional<String> sha256, int weight,
                        SchedulerSettings scheduler, KvSettings kv) {

    /** The version label of a model configured without one (as {@code starling.model} is by default). */
    public static final String DEFAULT_VERSION = "1";

    public ModelSpec {
        requireLabel("name", name);
        requireLabel("version", version);
        if (source == null || source.isBlank()) {
            throw new IllegalArgumentException("a model needs a source (a path, or a file:, http: or https: URL)");
        }
        if (weight < 0) {
            throw new IllegalArgumentException("a weight must be >= 0, got " + weight);
        }
        sha256 = sha256.map(hex -> hex.strip().toLowerCase(java.util.Locale.ROOT));
        // a known scheme, a URL with its sha256, a well-formed sha256
        ModelSources.validate(source, sha256);
    }

    /** Names and versions appear in {@code name@version} ids and metric labels: no '@', '/', spaces or controls. */
    private static void requireLabel(String what, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("a model needs a " + what);
        }
        if (!value.matches("[A-Za-z0-9._:+-]{1,128}")) {
            throw new IllegalArgumentException("the model " + what + " '" + value
                    + "' may only hold letters, digits and . _ : + - (at most 128)");
        }
    }

    /** The same model from another source, as another version with its own initial weight. */
    public ModelSpec withSource(String newVersion, String newSource, Optional<String> newSha256, int newWeight) {
        return new ModelSpec(name, newVersion, newSource, newSha256, newWeight, scheduler, kv);
    }

    /** {@code name@version}: how a client pins this version. */
    public String id() {
        return name + "@" + version;
    }

    /** The most memory this version may take beside its weights: its KV cache cap. */
    public long kvBytes() {
        return kv.capacityBytes();
    }
}
