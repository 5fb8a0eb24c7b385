package io.starling.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** Starling's settings under {@code starling.*}; each is also an env var (starling.model = STARLING_MODEL). */
@ConfigMapping(prefix = "starling")
public interface StarlingConfig {

    /** The GGUF file to serve. Absent: the embedded stories260K model, so a fresh install answers at once. */
    Optional<Path> model();

    /** The id clients use for the model; defaults to the file name without {@code .gguf}. */
    Optional<String> modelName();

    /**
     * Where models from http(s) sources are downloaded to, named by sha256 (env STARLING_MODEL_CACHE, as
     * {@code starling pull} uses). Absent: {@code ~/.starling/models}.
     */
    Optional<Path> modelCache();

    /** The version label of {@code starling.model} (clients pin it as {@code name@version}). */
    @WithDefault(io.starling.registry.ModelSpec.DEFAULT_VERSION)
    String modelVersion();

    /**
     * Further models and versions served beside {@code starling.model}, keyed by an entry id that only names the
     * entry in config ({@code starling.models.<id>.source}, env {@code STARLING_MODELS_<ID>_SOURCE}). When any is
     * configured and {@code starling.model} is not, the embedded model is not served.
     */
    Map<String, ModelEntry> models();

    /**
     * The model a request that names none is served by. Absent: the only model name served; with several names, a
     * request must name one (400 otherwise).
     */
    Optional<String> defaultModel();

    /**
     * The most memory all deployed model versions may take together, in MiB: each counts its weights file plus its
     * KV cache cap ({@code kv-cache-mb}). A load beyond it is refused with a clear error. Absent: no budget.
     */
    Optional<Long> memoryBudgetMb();

    /** One model version of {@code starling.models}; absent settings take the global {@code scheduler/kv/sessions}. */
    interface ModelEntry {
        /** The name clients use; defaults to the entry id. */
        Optional<String> name();

        /** The version label; defaults to {@code 1}. */
        @WithDefault("1")
        String version();

        /** A GGUF file path or {@code file:} URL. */
        String source();

        /** The file's expected SHA-256 (hex); when set the file is verified before it is mapped. */
        Optional<String> sha256();

        /** The share of the name's traffic this version gets, relative to its sibling versions' weights. */
        @WithDefault("100")
        int weight();

        Optional<Integer> maxBatchSize();

        Optional<Integer> maxSessions();

        Optional<Double> kvCacheMb();

        Optional<Path> spillPath();
    }

    /** How generation requests wait for and share the engine. */
    Scheduler scheduler();

    /** Limits of the HTTP front door. */
    Server server();

    /** The paged KV cache of the served model. */
    Kv kv();

    /** Conversations kept between requests on /v1/generate. */
    Sessions sessions();

    interface Kv {
        /**
         * Hard cap on the KV cache's off-heap memory in MiB (fractions allowed); memory is taken in slabs as
         * sequences grow, never beyond this. When it is full, idle sessions are evicted, least recently used first.
         */
        @WithDefault("256")
        double cacheMb();

        /** Positions per KV page: the unit of allocation, sharing between prompts and eviction. */
        @WithDefault("16")
        int pagePositions();

        /** Element type of cached keys and values: f16 (llama.cpp's default) or f32 (exact, twice the memory). */
        @WithDefault("f16")
        io.starling.kv.KvDtype dtype();

        /** A file evicted pages go to (CRC32C-checked when read back); absent: evicted pages are dropped. */
        Optional<Path> spillPath();

        /** The most the spill file may hold, in MiB. */
        @WithDefault("1024")
        long spillMb();
    }

    interface Sessions {
        /** Sessions the model keeps at once; creating one more is 429 (0 disables sessions). */
        @WithDefault("64")
        int max();

        /** A session unused for this long is closed and its KV cache freed. */
        @WithDefault("600")
        long ttlSeconds();
    }

    /** Who may call the API. */
    Auth auth();

    /** The HTTP batch API ({@code /v1/files}, {@code /v1/batches}). */
    Batch batch();

    interface Batch {
        /**
         * Where uploaded files, batch state and result checkpoints live (mount a volume here so batches survive a
         * restart or a new pod). Absent: {@code ~/.starling/batch}.
         */
        Optional<Path> dir();

        /** The largest file {@code POST /v1/files} accepts (413 beyond), streamed to disk; OpenAI's limit is 200 MB. */
        @WithDefault("209715200")
        long maxFileBytes();

        /** The most requests one batch file may hold (the batch fails validation beyond); OpenAI's limit. */
        @WithDefault("50000")
        int maxRequests();

        /** Requests of the running batch in flight at once. Absent: {@code starling.scheduler.max-batch-size}. */
        Optional<Integer> maxInFlight();
    }

    /** Per-tenant limits; a tenant is an API key, or the client address on an open server. */
    RateLimits rateLimits();

    interface RateLimits {
        /** Requests a tenant may start per minute on /v1/* (0 = unlimited); beyond it 429 with Retry-After. */
        @WithDefault("0")
        int requestsPerMinute();

        /**
         * Tokens (prompt + generated) a tenant may use per minute on the generating and embedding endpoints (0 =
         * unlimited). A request reserves its prompt plus max_tokens × n when admitted and gets back what it did not
         * use when it ends; beyond the allowance 429 with Retry-After.
         */
        @WithDefault("0")
        long tokensPerMinute();
    }

    interface Auth {
        /** Accepted API keys (comma-separated in env: STARLING_AUTH_API_KEYS). None at all = an open server. */
        Optional<java.util.List<String>> apiKeys();

        /** A file with one accepted key per line (blank lines and # comments ignored), e.g. a mounted secret. */
        Optional<Path> apiKeysFile();

        /**
         * Keys of the admin API ({@code /admin/*}), separate from the user keys (STARLING_AUTH_ADMIN_KEYS). None at
         * all = the admin API is disabled (403 {@code admin_disabled}).
         */
        Optional<java.util.List<String>> adminKeys();

        /** A file of admin keys, one per line, like {@code api-keys-file}. */
        Optional<Path> adminKeysFile();
    }

    /** Kernel settings the compute core reads itself (it imports no config); declared so the key is known. */
    Vector vector();

    interface Vector {
        /**
         * {@code -Dstarling.vector.bits=128|256|512}: the Vector API width of the kernels. A JVM system property
         * only, read once by {@code io.starling.tensor.Vectors} because the vector species is a JVM constant.
         */
        Optional<String> bits();
    }

    interface Scheduler {
        /** Requests that may wait for the engine; one more is answered 429 with Retry-After. */
        @WithDefault("64")
        int maxQueueDepth();

        /** A request still queued or generating after this long is aborted (504) and its resources freed. */
        @WithDefault("300000")
        long requestTimeoutMs();

        /** Kernel threads of the engine's matrix multiplications (0 = one per core). */
        @WithDefault("0")
        int threads();

        /** Sequences decoding together in one model step; a request with n choices holds n of them. */
        @WithDefault("16")
        int maxBatchSize();

        /**
         * Tokens one model step may take: the decode tokens of all running sequences plus prompt chunks of new
         * requests up to this budget, so a long prompt is prefilled in pieces and never stalls running streams.
         */
        @WithDefault("512")
        int maxBatchTokens();

        /**
         * Compute every token with the same arithmetic whatever shares its step, so a request's output does not
         * depend on the load (same seed, same tokens, always); costs 5-12% of single-stream decode speed and the
         * token-lane prefill kernel. Off: llama.cpp's arithmetic, whose last bits depend on the batch.
         */
        @WithDefault("false")
        boolean batchInvariant();

        /**
         * Warm the model's kernels and forward pass while the engine is idle, so the first requests after a start
         * run compiled code; readiness does not wait for it, and a request arriving meanwhile waits for at most one
         * piece of it (one kernel product on a few rows, or one model step of at most 19 tokens). It takes the cores
         * for some seconds: beside another version of the model that is serving (a reload), that one slows meanwhile.
         */
        @WithDefault("true")
        boolean warmUp();

        /** Weighted round-robin between tenants (tenant id = weight); unlisted tenants weigh 1. */
        java.util.Map<String, Integer> tenantWeights();
    }

    interface Server {
        /**
         * The largest request body accepted (413 beyond). Quarkus' own limit,
         * {@code quarkus.http.limits.max-body-size}, is set from this key in application.properties.
         */
        @WithDefault("8388608")
        long maxBodyBytes();

        /**
         * How long a SIGTERM waits for admitted requests and streams to finish (new ones get 503 meanwhile) before
         * the engine stops. Quarkus' {@code quarkus.shutdown.timeout} is set from this key in application.properties;
         * a Kubernetes pod's terminationGracePeriodSeconds must exceed it.
         */
        @WithDefault("30s")
        Duration drainTimeout();
    }

    /** Named multi-stage pipelines served at /v1/pipelines/{name}; none by default. */
    Map<String, PipelineKeys> pipelines();

    /** The cache of pipeline stage results shared by all pipelines. */
    PipelineCache pipelineCache();

    interface PipelineCache {
        /** About how much heap the cached results may take, in MiB (0: no caching). */
        @WithDefault("64")
        long maxMb();
    }

    /** How prediction drift is measured ({@code io.starling.telemetry.PredictionMonitor}). */
    Drift drift();

    interface Drift {
        /** Predictions of a (model, pipeline) series forming its reference distribution (unless a baseline is saved). */
        @WithDefault("1000")
        int referenceSize();

        /** The rolling window of latest predictions compared with the reference. */
        @WithDefault("500")
        int windowSize();

        /**
         * A population-stability index above this logs a warning, once until the score has fallen to half of it
         * again; 0.2 is the usual "shifted" (below 0.1 is read as stable).
         */
        @WithDefault("0.2")
        double threshold();

        /**
         * A directory where each series' reference is saved once complete and loaded from on start, so a restarted
         * server compares with the same baseline. Absent: references live in memory and are collected anew per start.
         */
        Optional<Path> baselineDir();
    }
}
