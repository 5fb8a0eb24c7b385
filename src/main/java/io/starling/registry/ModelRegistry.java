package io.starling.registry;

import io.quarkus.logging.Log;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.starling.config.StarlingConfig;
import io.starling.engine.KvSettings;
import io.starling.engine.ModelUnavailableException;
import io.starling.engine.SchedulerSettings;
import io.starling.gguf.GgufFile;
import io.starling.model.ModelShape;
import io.starling.registry.source.ModelCache;
import io.starling.session.UnknownSessionException;
import io.starling.telemetry.StarlingMetrics;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every model and version the server serves, by name: deploys them (at start-up from config, later through the
 * admin API), routes each request to a ready version (by weight, or the pinned {@code name@version}, or a session's
 * own version), switches traffic atomically, and drains and unloads versions taken out of service. Loads and drains
 * run on their own threads, so admin calls answer at once (202) and serving never waits for them.
 */
@ApplicationScoped
public class ModelRegistry {

    /** A request picked a version that left service at that instant: it picks again, at most this often. */
    private static final int ROUTE_ATTEMPTS = 4;

    private final StarlingConfig config;
    private final StarlingMetrics metrics;
    private final MemoryBudget budget;
    private final Duration drainTimeout;
    private final ModelSources sources;
    private final ExecutorService lifecycle = Executors.newThreadPerTaskExecutor(
            Thread.ofPlatform().name("starling-model-lifecycle-", 0).daemon(true).factory());
    private final ScheduledExecutorService expiry = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("starling-session-expiry").daemon(true).factory());
    private final AtomicLong serials = new AtomicLong();
    /** Guards every change of {@link #models}; reads take the published map without it. */
    private final Object changes = new Object();
    private volatile Map<String, ModelVersions> models = Map.of();
    /** Versions out of routing and not unloaded yet (draining), still listed by the admin API. */
    private final List<ModelDeployment> leaving = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean started;

    ModelRegistry(StarlingConfig config, StarlingMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
        this.budget = MemoryBudget.ofMegabytes(config.memoryBudgetMb());
        this.drainTimeout = config.server().drainTimeout();
        this.sources = new ModelSources(new ModelCache(config.modelCache().orElseGet(ModelCache::defaultDir)));
    }

    /** Loads the configured models before the server takes requests; one that cannot load stops the server. */
    void onStart(@Observes StartupEvent event) {
        try {
            for (ModelSpec spec : ModelSpecs.fromConfig(config)) {
                ModelDeployment deployment = deploy(spec, false);
                if (deployment.state() != DeploymentState.READY) {
                    throw new IllegalStateException(spec.id() + " from " + spec.source() + ": " + deployment.failure());
                }
                Log.infof("serving model '%s' from %s: %s", deployment.id(), spec.source(),
                        deployment.model().orElseThrow().shape());
            }
            started = true;
        } catch (RuntimeException e) {
            // A server that cannot serve its models must not look healthy: say why in one line and stop.
            Log.errorf("cannot serve model %s", e.getMessage());
            Quarkus.asyncExit(1);
        }
        long period = Math.clamp(Duration.ofSeconds(config.sessions().ttlSeconds()).toMillis() / 4, 250, 60_000);
        expiry.scheduleAtFixedRate(this::expireSessions, period, period, TimeUnit.MILLISECONDS);
    }

    /** Maps and validates a GGUF file as model {@code name} (the file name without .gguf when null). */
    static ServedModel load(Path path, String name) throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new NoSuchFileException(path.toString(), null, "no such file");
        }
        GgufFile file = GgufFile.open(path);
        try {
            ModelShape shape = ModelShape.of(file);
            return new ServedModel(name != null ? name : ServedModel.idFromFileName(path), path, file, shape);
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    // ---- routing

    /** Whether the configured models are loaded and at least one version is ready to serve. */
    public boolean ready() {
        return started && models.values().stream().flatMap(v -> v.deployments().stream())
                .anyMatch(d -> d.state() == DeploymentState.READY);
    }

    /**
     * The name a request that names no model goes to: {@code starling.default-model}, else the only name served;
     * empty when several are served and none is the default.
     */
    public Optional<String> defaultName() {
        if (config.defaultModel().isPresent()) {
            return config.defaultModel();
        }
        Map<String, ModelVersions> current = models;
        return current.size() == 1 ? Optional.of(current.keySet().iterator().next()) : Optional.empty();
    }

    /**
     * The version that serves a request for {@code requested} ({@code name} by weight, or {@code name@version}
     * pinned), already {@link ModelDeployment#enter entered}: the caller must {@link #release} it when the request
     * ends.
     *
     * @throws ModelNotFoundException    no such name or version
     * @throws ModelUnavailableException the version is not ready, or no ready version of the name takes traffic
     */
    public ModelDeployment route(String requested) {
        int at = requested.lastIndexOf('@');
        String name = at < 0 ? requested : requested.substring(0, at);
        for (int attempt = 0; attempt < ROUTE_ATTEMPTS; attempt++) {
            ModelVersions versions = models.get(name);
            if (versions == null) {
                throw new ModelNotFoundException(requested);
            }
            ModelDeployment chosen;
            if (at >= 0) {
                chosen = versions.version(requested.substring(at + 1));
                if (chosen == null) {
                    throw new ModelNotFoundException(requested);
                }
                if (chosen.state() != DeploymentState.READY) {
                    throw new ModelUnavailableException("the model version '" + requested + "' is "
                            + chosen.state().wireName() + (chosen.failure() != null ? ": " + chosen.failure() : ""));
                }
            } else {
                List<ModelDeployment> ready = versions.deployments().stream()
                        .filter(d -> d.state() == DeploymentState.READY).toList();
                chosen = TrafficRouter.pick(ready, versions::weightOf, ThreadLocalRandom.current());
                if (chosen == null) {
                    throw new ModelUnavailableException("no ready version of the model '" + name
                            + "' takes traffic now (see GET /admin/models)");
                }
            }
            if (chosen.enter(false)) {
                return chosen;
            }
            // it left service between the table read and now: the table has changed, read it again
        }
        throw new ModelUnavailableException("the model '" + requested + "' is changing versions; retry");
    }

    /**
     * The version session {@code sessionId} lives on, entered like {@link #route}; its name must be {@code requested}
     * when the request names a model.
     */
    public ModelDeployment routeSession(String sessionId, String requested) throws UnknownSessionException {
        long serial = ModelDeployment.serialOf(sessionId);
        ModelDeployment found = null;
        for (ModelDeployment d : all()) {
            if (d.serial() == serial) {
                found = d;
            }
        }
        if (found == null || !found.enter(true)) {
            throw new UnknownSessionException(sessionId);
        }
        if (requested != null && !requested.isBlank()
                && !requested.equals(found.name()) && !requested.equals(found.id())) {
            found.exit();
            throw new ModelNotFoundException(requested, "the session id '" + sessionId + "' is one of the model '"
                    + found.id() + "', not '" + requested + "'");
        }
        return found;
    }

    /** The end of a request that {@link #route} or {@link #routeSession} admitted. */
    public void release(ModelDeployment deployment) {
        deployment.exit();
    }

    // ---- what is deployed

    /** Every version of every name, routed or draining, in deployment order per name. */
    public List<ModelDeployment> all() {
        List<ModelDeployment> all = new ArrayList<>();
        models.values().forEach(v -> all.addAll(v.deployments()));
        for (ModelDeployment d : leaving) {
            if (!all.contains(d)) {
                all.add(d);
            }
        }
        return all;
    }

    /** The traffic share of each version of {@code name} (empty for an unknown name). */
    public Map<String, Integer> weights(String name) {
        ModelVersions versions = models.get(name);
        return versions == null ? Map.of() : versions.weights();
    }

    public MemoryBudget budget() {
        return budget;
    }

    // ---- admin changes

    /**
     * Deploys {@code spec} with its initial traffic share; {@code async}: the load runs in the background (the
     * returned deployment is {@code loading}), else before this returns.
     *
     * @throws ModelConflictException                   the version exists already
     * @throws MemoryBudget.BudgetExceededException      a local file that, with its KV cap, does not fit the budget
     */
    public ModelDeployment deploy(ModelSpec spec, boolean async) {
        return deploy(spec, async, deployment -> { });
    }

    private ModelDeployment deploy(ModelSpec spec, boolean async, java.util.function.Consumer<ModelDeployment> whenReady) {
        ModelDeployment deployment = new ModelDeployment(serials.incrementAndGet(), spec);
        synchronized (changes) {
            ModelVersions versions = models.get(spec.name());
            if (versions != null && versions.version(spec.version()) != null) {
                throw new ModelConflictException("the model version '" + spec.id() + "' is deployed already");
            }
            // a local file's size is known now: refuse at once what cannot fit
            Optional<Long> size = ModelSources.localPath(spec.source()).flatMap(ModelRegistry::sizeOf);
            if (size.isPresent()) {
                long bytes = size.get() + spec.kvBytes();
                budget.reserve(bytes, spec.id());
                deployment.reserved(bytes);
            }
            List<ModelDeployment> list = new ArrayList<>(versions == null ? List.of() : versions.deployments());
            list.add(deployment);
            Map<String, Integer> weights = new LinkedHashMap<>(versions == null ? Map.of() : versions.weights());
            weights.put(spec.version(), spec.weight());
            publish(spec.name(), new ModelVersions(list, weights));
        }
        Runnable load = () -> {
            deployment.load(sources, metrics, budget);
            DeploymentState state = deployment.state();
            if (state == DeploymentState.FAILED || state == DeploymentState.UNLOADED) {
                budget.release(deployment.takeReserved());
                if (state == DeploymentState.FAILED) {
                    Log.errorf("model %s failed to load: %s", deployment.id(), deployment.failure());
                }
            } else {
                Log.infof("model %s is ready", deployment.id());
                whenReady.accept(deployment);
            }
        };
        if (async) {
            lifecycle.execute(load);
        } else {
            load.run();
        }
        return deployment;
    }

    private static Optional<Long> sizeOf(Path path) {
        try {
            return Files.isRegularFile(path) ? Optional.of(Files.size(path)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * Takes {@code name} (every version, {@code version} empty) or one version out of routing at once, then drains
     * and unloads it in the background.
     *
     * @throws ModelNotFoundException no such name or version
     */
    public List<ModelDeployment> undeploy(String name, Optional<String> version) {
        List<ModelDeployment> removed;
        synchronized (changes) {
            ModelVersions versions = models.get(name);
            if (versions == null) {
                throw new ModelNotFoundException(name);
            }
            if (version.isPresent() && versions.version(version.get()) == null) {
                throw new ModelNotFoundException(name + "@" + version.get());
            }
            removed = versions.deployments().stream()
                    .filter(d -> version.isEmpty() || d.version().equals(version.get())).toList();
            List<ModelDeployment> kept = new ArrayList<>(versions.deployments());
            kept.removeAll(removed);
            Map<String, Integer> weights = new LinkedHashMap<>(versions.weights());
            removed.forEach(d -> weights.remove(d.version()));
            publish(name, kept.isEmpty() ? null : new ModelVersions(kept, weights));
            leaving.addAll(removed);
        }
        removed.forEach(this::retire);
        return removed;
    }

    /**
     * Hot reload: loads a new version of {@code name} beside the serving ones (from {@code source}, or the newest
     * version's source), and once it is ready gives it all of the name's traffic in one switch, then drains and
     * unloads the old versions. If the load fails, the old versions go on serving and the new one stays listed as
     * failed.
     *
     * @throws ModelNotFoundException no such name
     */
    public ModelDeployment reload(String name, Optional<String> source, Optional<String> sha256, Optional<String> version) {
        ModelSpec spec;
        synchronized (changes) {
            ModelVersions versions = models.get(name);
            if (versions == null) {
                throw new ModelNotFoundException(name);
            }
            ModelSpec newest = versions.deployments().getLast().spec();
            String label = version.orElseGet(() -> nextVersion(versions));
            // no traffic until it is ready: then switchTo gives it all at once
            spec = newest.withSource(label, source.orElse(newest.source()),
                    source.isPresent() ? sha256 : sha256.or(newest::sha256), 0);
        }
        return deploy(spec, true, this::switchTo);
    }

    private void switchTo(ModelDeployment fresh) {
        List<ModelDeployment> old;
        synchronized (changes) {
            ModelVersions versions = models.get(fresh.name());
            if (versions == null || !versions.deployments().contains(fresh)) {
                return; // deleted while it loaded
            }
            old = versions.deployments().stream().filter(d -> d != fresh && d.state() != DeploymentState.FAILED).toList();
            List<ModelDeployment> kept = new ArrayList<>(versions.deployments());
            kept.removeAll(old);
            publish(fresh.name(), new ModelVersions(kept, Map.of(fresh.version(), 100)));
            leaving.addAll(old);
        }
        old.forEach(this::retire);
    }

    /** The next free numeric version label of {@code name} ("1" for a new name). */
    public String nextVersion(String name) {
        ModelVersions versions = models.get(name);
        return versions == null ? "1" : nextVersion(versions);
    }

    /** One more than the largest numeric label of the name's versions. */
    private static String nextVersion(ModelVersions versions) {
        long highest = 0;
        for (ModelDeployment d : versions.deployments()) {
            try {
                highest = Math.max(highest, Long.parseLong(d.version()));
            } catch (NumberFormatException e) {
                // a named version ("canary") takes no part in the numbering
            }
        }
        return Long.toString(highest + 1);
    }

    /**
     * Sets the traffic split of {@code name}: version → weight, every version of the name given or taken as 0.
     *
     * @throws ModelNotFoundException   no such name
     * @throws IllegalArgumentException an unknown version, a negative weight, or all zero
     */
    public void traffic(String name, Map<String, Integer> split) {
        synchronized (changes) {
            ModelVersions versions = models.get(name);
            if (versions == null) {
                throw new ModelNotFoundException(name);
            }
            int total = 0;
            for (Map.Entry<String, Integer> e : split.entrySet()) {
                if (versions.version(e.getKey()) == null) {
                    throw new IllegalArgumentException("the model '" + name + "' has no version '" + e.getKey() + "'");
                }
                if (e.getValue() == null || e.getValue() < 0) {
                    throw new IllegalArgumentException("the weight of version '" + e.getKey() + "' must be >= 0, got "
                            + e.getValue());
                }
                total += e.getValue();
            }
            if (total == 0) {
                throw new IllegalArgumentException("at least one version must get a positive weight");
            }
            publish(name, new ModelVersions(versions.deployments(), split));
        }
    }

    private void publish(String name, ModelVersions versions) {
        Map<String, ModelVersions> next = new LinkedHashMap<>(models);
        if (versions == null) {
            next.remove(name);
        } else {
            next.put(name, versions);
        }
        models = Map.copyOf(next);
    }

    /** Drains and unloads a version already out of routing, in the background. */
    private void retire(ModelDeployment deployment) {
        deployment.startDraining();
        lifecycle.execute(() -> {
            try {
                boolean unmapped = deployment.drainAndUnload(drainTimeout);
                if (!unmapped) {
                    Log.warnf("model %s: the engine loop did not stop in time; its file stays mapped", deployment.id());
                }
                Log.infof("model %s is unloaded", deployment.id());
            } catch (InterruptedException e) {
                deployment.unload();
                Thread.currentThread().interrupt();
            } finally {
                budget.release(deployment.takeReserved());
                leaving.remove(deployment);
            }
        });
    }

    private void expireSessions() {
        for (ModelDeployment d : all()) {
            try {
                d.expireSessions();
            } catch (RuntimeException e) {
                // a failed sweep must not cancel the timer: the next one retries
                Log.errorf(e, "session expiry of %s failed", d.id());
            }
        }
    }

    /**
     * Stops every engine before beans are destroyed (shutdown events come first; the HTTP drain has already let
     * admitted requests finish): each loop ends after its current step, then its weights are unmapped.
     */
    void onStop(@Observes ShutdownEvent event) {
        shutdown();
    }

    @PreDestroy
    void shutdown() {
        expiry.shutdownNow();
        lifecycle.shutdownNow();
        for (ModelDeployment d : all()) {
            d.unload();
        }
    }
}
