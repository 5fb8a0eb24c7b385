package io.starling.registry;

import io.starling.engine.InferenceEngine;
import io.starling.engine.KvSettings;
import io.starling.engine.ModelText;
import io.starling.engine.SessionLease;
import io.starling.kv.KvCacheFullException;
import io.starling.kv.KvCacheStats;
import io.starling.session.SessionBusyException;
import io.starling.session.SessionLimitException;
import io.starling.session.UnknownSessionException;
import io.starling.telemetry.ModelMeters;
import io.starling.telemetry.StarlingMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * One version of one model, deployed: its mapped weights, its own engine (scheduler, KV arena, sessions), its
 * meters, its state ({@link DeploymentState}) and the API requests it is serving now. Requests {@link #enter}
 * before they use it and {@link #exit} when their response has ended, so a drain knows when it is idle.
 */
public final class ModelDeployment implements ModelMeters.Source {

    private static final KvCacheStats NO_KV = new KvCacheStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    private final long serial;
    private final ModelSpec spec;
    private DeploymentState state = DeploymentState.LOADING;
    private String failure;
    private int requests;
    private volatile ServedModel model;
    private volatile ModelText.Text text;
    private volatile InferenceEngine engine;
    private ModelMeters meters;
    /** Memory budget held for this version (weights file + KV cap): 0 until reserved. */
    private long reservedBytes;
    private volatile long weightsBytes;

    ModelDeployment(long serial, ModelSpec spec) {
        this.serial = serial;
        this.spec = spec;
    }

    public ModelSpec spec() {
        return spec;
    }

    public String name() {
        return spec.name();
    }

    public String version() {
        return spec.version();
    }

    /** {@code name@version}: the pinned id and the {@code system_fingerprint} of the answers it gives. */
    public String id() {
        return spec.id();
    }

    /** Unique for the server's life (versions may be reused after an unload; serials are not). */
    long serial() {
        return serial;
    }

    public synchronized DeploymentState state() {
        return state;
    }

    /** Why loading failed; null unless {@link DeploymentState#FAILED}. */
    public synchronized String failure() {
        return failure;
    }

    /** API requests using this version now. */
    public synchronized int requests() {
        return requests;
    }

    /** The mapped model; empty until ready. */
    public Optional<ServedModel> model() {
        return Optional.ofNullable(model);
    }

    /** The text tools; only called on a deployment a request has {@link #enter entered}. */
    public ModelText.Text text() {
        return text;
    }

    /** The engine; only called on a deployment a request has {@link #enter entered}. */
    public InferenceEngine engine() {
        return engine;
    }

    /** The size of the weights file (mapped once ready); 0 until it is known. */
    public long weightsBytes() {
        return weightsBytes;
    }

    synchronized long reservedBytes() {
        return reservedBytes;
    }

    /** The memory budget this version holds, handed back by whoever frees it (once: it is 0 afterwards). */
    synchronized long takeReserved() {
        long bytes = reservedBytes;
        reservedBytes = 0;
        return bytes;
    }

    synchronized void reserved(long bytes) {
        reservedBytes = bytes;
    }

    /**
     * Resolves, verifies and maps the weights, then starts the engine and its meters: {@link DeploymentState#READY}.
     * On any failure the state is {@link DeploymentState#FAILED} with the reason and nothing stays open.
     *
     * @param budget takes the memory budget once the file's size is known, unless {@link #reserved} did already
     */
    void load(ModelSources sources, StarlingMetrics metrics, MemoryBudget budget) {
        ServedModel mapped = null;
        try {
            Path path = sources.resolve(spec.source(), spec.sha256());
            weightsBytes = Files.size(path);
            if (reservedBytes() == 0) {
                long bytes = weightsBytes + spec.kvBytes();
                budget.reserve(bytes, id());
                reserved(bytes);
            }
            mapped = ModelRegistry.load(path, spec.name());
            ModelText.Text loadedText = ModelText.of(mapped);
            ModelMeters made = metrics.forModel(spec.name(), spec.version(), this);
            synchronized (this) {
                if (state == DeploymentState.UNLOADED) {
                    // undeployed while it loaded: nothing of it may stay open
                    made.close();
                    mapped.file().close();
                    return;
                }
                model = mapped;
                text = loadedText;
                meters = made;
                engine = new InferenceEngine(loadedText, spec.scheduler(), ownSpill(spec.kv()), made);
                state = DeploymentState.READY;
            }
        } catch (IOException | RuntimeException e) {
            if (mapped != null) {
                mapped.file().close();
            }
            synchronized (this) {
                if (meters != null) {
                    meters.close();
                }
                state = DeploymentState.FAILED;
                failure = reason(e);
            }
        }
    }

    /**
     * The server's first deployment spills to the configured file itself; every later one (another model, or a new
     * version loaded beside the old) to its own sibling file, since two arenas must never share one.
     */
    private KvSettings ownSpill(KvSettings kv) {
        if (serial == 1 || kv.spillPath().isEmpty()) {
            return kv;
        }
        Path own = kv.spillPath().get().resolveSibling(kv.spillPath().get().getFileName() + "." + serial);
        return new KvSettings(kv.capacityBytes(), kv.pagePositions(), kv.dtype(), Optional.of(own), kv.spillBytes(),
                kv.maxSessions(), kv.sessionTtl());
    }

    private static String reason(Exception e) {
        String message = e.getMessage();
        if (e instanceof java.nio.file.NoSuchFileException missing) {
            return "no such file: " + missing.getFile();
        }
        return message != null ? message : e.getClass().getSimpleName();
    }

    /**
     * A request starts using this version: true if it is ready, or draining and {@code sessionTurn} (a session
     * stays on its version until that is unloaded). Every true is matched by one {@link #exit}.
     */
    synchronized boolean enter(boolean sessionTurn) {
        if (state == DeploymentState.READY || (sessionTurn && state == DeploymentState.DRAINING)) {
            requests++;
            return true;
        }
        return false;
    }

    synchronized void exit() {
        if (--requests == 0) {
            notifyAll();
        }
    }

    /** Takes it out of service: no new requests enter from now on. False if it was not ready. */
    synchronized boolean startDraining() {
        if (state != DeploymentState.READY) {
            return false;
        }
        state = DeploymentState.DRAINING;
        return true;
    }

    /**
     * Waits until its requests have ended (at most {@code timeout}; what still runs then is failed), then stops the
     * engine and frees its KV arena, and unmaps the weights only once the engine loop has stopped: no kernel ever
     * reads unmapped memory. Returns whether the weights were unmapped (false: the loop did not stop in time and the
     * mapping is left to the process' end).
     */
    boolean drainAndUnload(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (requests > 0 || (engine != null && engine.inFlight() > 0)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                // exit() notifies when the last request ends; engine work of a request ends before its response does
                wait(Math.max(1, Math.min(left / 1_000_000, 50)));
            }
        }
        return unload();
    }

    /** Stops and frees everything now, in-flight or not. */
    synchronized boolean unload() {
        boolean unmapped = true;
        if (engine != null) {
            unmapped = engine.stop();
        }
        if (meters != null) {
            meters.close();
        }
        if (model != null && unmapped) {
            model.file().close();
        }
        if (state != DeploymentState.FAILED) {
            // a version still loading sees this when its load ends, and closes what it made
            state = DeploymentState.UNLOADED;
        }
        return unmapped;
    }

    // sessions: the public id carries this deployment's serial, so a later turn finds its version without a table

    /** A new session on this version; its id routes later turns here. */
    public String createSession() throws SessionLimitException {
        return engine.createSession() + "." + serial;
    }

    /** Pins session {@code publicId} for the request about to be submitted with it (see InferenceEngine). */
    public SessionLease acquireSession(String publicId)
            throws UnknownSessionException, SessionBusyException, KvCacheFullException {
        return engine.acquireSession(innerId(publicId));
    }

    /** Closes session {@code publicId}; false if no open session has it. */
    public boolean closeSession(String publicId) {
        return engine.closeSession(innerId(publicId));
    }

    /** The serial a public session id names, or -1 when it names none. */
    static long serialOf(String publicId) {
        int dot = publicId.lastIndexOf('.');
        if (dot < 0) {
            return -1;
        }
        try {
            return Long.parseLong(publicId.substring(dot + 1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String innerId(String publicId) {
        return publicId.substring(0, publicId.lastIndexOf('.'));
    }

    void expireSessions() {
        InferenceEngine current = engine;
        if (current != null && state() != DeploymentState.UNLOADED) {
            current.expireSessions();
        }
    }

    // what its gauges read (ModelMeters.Source)

    @Override
    public int queueDepth() {
        InferenceEngine current = engine;
        return current == null ? 0 : current.queueDepth();
    }

    @Override
    public long queueRefusals() {
        InferenceEngine current = engine;
        return current == null ? 0 : current.queueRefusals();
    }

    @Override
    public KvCacheStats kvStats() {
        InferenceEngine current = engine;
        return current == null || state() == DeploymentState.UNLOADED ? NO_KV : current.kvStats();
    }

    @Override
    public int openSessions() {
        InferenceEngine current = engine;
        return current == null || state() == DeploymentState.UNLOADED ? 0 : current.openSessions();
    }
}
