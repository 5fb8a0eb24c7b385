package io.starling.registry;

import io.quarkus.logging.Log;
import io.starling.config.StarlingConfig;
import io.starling.engine.KvSettings;
import io.starling.engine.SchedulerSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The model versions the configuration asks for, each with the global {@code starling.scheduler.*},
 * {@code starling.kv.*} and {@code starling.sessions.*} settings unless its {@code starling.models.<id>.*} entry
 * overrides them.
 */
public final class ModelSpecs {

    private ModelSpecs() {
    }

    /**
     * {@code starling.model} (or the embedded model when nothing at all is configured) first, then every
     * {@code starling.models} entry in the order of their ids.
     */
    public static List<ModelSpec> fromConfig(StarlingConfig config) {
        List<ModelSpec> specs = new ArrayList<>();
        if (config.model().isPresent() || config.models().isEmpty()) {
            Path path = config.model().orElseGet(() -> {
                Log.infof("no model configured (starling.model / STARLING_MODEL): serving the embedded %s",
                        EmbeddedModel.NAME);
                return EmbeddedModel.extractTo(Path.of(System.getProperty("java.io.tmpdir")));
            });
            String name = config.modelName().orElseGet(() -> ServedModel.idFromFileName(path));
            specs.add(new ModelSpec(name, config.modelVersion(), path.toString(), Optional.empty(), 100,
                    scheduler(config, Optional.empty()), kv(config, Optional.empty(), Optional.empty(), Optional.empty())));
        }
        for (Map.Entry<String, StarlingConfig.ModelEntry> entry : new java.util.TreeMap<>(config.models()).entrySet()) {
            StarlingConfig.ModelEntry m = entry.getValue();
            try {
                specs.add(new ModelSpec(m.name().orElse(entry.getKey()), m.version(), m.source(), m.sha256(), m.weight(),
                        scheduler(config, m.maxBatchSize()), kv(config, m.kvCacheMb(), m.spillPath(), m.maxSessions())));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("starling.models." + entry.getKey() + ": " + e.getMessage(), e);
            }
        }
        return specs;
    }

    /** The global scheduler settings, with a model's own {@code max-batch-size} when it has one. */
    public static SchedulerSettings scheduler(StarlingConfig config, Optional<Integer> maxBatchSize) {
        StarlingConfig.Scheduler s = config.scheduler();
        int batch = maxBatchSize.orElse(s.maxBatchSize());
        return new SchedulerSettings(s.maxQueueDepth(), batch, Math.max(s.maxBatchTokens(), batch),
                s.requestTimeoutMs(), s.threads(), s.tenantWeights(), s.batchInvariant(), s.warmUp());
    }

    /** The global KV and session settings, with a model's own cap, spill file and session limit when it has them. */
    public static KvSettings kv(StarlingConfig config, Optional<Double> cacheMb, Optional<Path> spillPath,
                                Optional<Integer> maxSessions) {
        StarlingConfig.Kv kv = config.kv();
        return KvSettings.ofMegabytes(cacheMb.orElse(kv.cacheMb()), kv.pagePositions(), kv.dtype(),
                spillPath.or(kv::spillPath), kv.spillMb(), maxSessions.orElse(config.sessions().max()),
                Duration.ofSeconds(config.sessions().ttlSeconds()));
    }
}
