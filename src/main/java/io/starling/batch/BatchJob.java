package io.starling.batch;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.starling.api.inference.Prompts;
import io.starling.api.json.StrictJson;
import io.starling.engine.EngineMetrics;
import io.starling.engine.GenerationRequest;
import io.starling.engine.KvSettings;
import io.starling.engine.ModelText;
import io.starling.engine.Scheduler;
import io.starling.engine.SchedulerSettings;
import io.starling.gguf.GgufFile;
import io.starling.kv.KvDtype;
import io.starling.model.ModelShape;
import io.starling.pipeline.PipelineMetrics;
import io.starling.pipeline.PipelineSpec;
import io.starling.pipeline.Pipelines;
import io.starling.pipeline.PredictionListener;
import io.starling.pipeline.StageCache;
import io.starling.pipeline.StageTracer;
import io.starling.registry.ServedModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An offline batch job: OpenAI Batch input lines in, one result line each out, run on the continuous-batching
 * scheduler directly. Up to {@code maxBatchSize} requests are in flight at once, and a new one is submitted as soon
 * as one ends, so the engine's batch stays full. Results are checkpointed as they complete ({@link Checkpoint}), so
 * running the same job again after it was killed continues where it stopped; the finished output is in input order.
 */
public final class BatchJob {

    /**
     * What to run and how.
     *
     * @param model           the GGUF file
     * @param modelName       the model id in responses (and what a body's {@code model} must name, if anything);
     *                        null: the file name without {@code .gguf}, as the server does
     * @param maxBatchSize    sequences per engine step, and requests in flight
     * @param maxBatchTokens  tokens per engine step (prompt chunks plus decodes)
     * @param maxRequests     stop after submitting this many lines in this run (0: all); the job stays resumable
     * @param progressMillis  how often progress is shown
     * @param batchInvariant  every token computed alike whatever shares its step, so that a resumed or sharded job
     *                        answers exactly what one uninterrupted run does (which requests share a step differs)
     * @param pipelines       the pipelines {@code /v1/pipelines/{name}} lines may name
     */
    public record Settings(Path model, String modelName, Path input, Path output, Shard shard, int threads,
                           int maxBatchSize, int maxBatchTokens, double kvCacheMb, long requestTimeoutMs,
                           long maxRequests, long progressMillis, boolean batchInvariant,
                           Map<String, PipelineSpec> pipelines) {

        public Settings {
            pipelines = Map.copyOf(pipelines);
        }

        /** Settings of a job without pipelines. */
        public Settings(Path model, String modelName, Path input, Path output, Shard shard, int threads,
                        int maxBatchSize, int maxBatchTokens, double kvCacheMb, long requestTimeoutMs,
                        long maxRequests, long progressMillis, boolean batchInvariant) {
            this(model, modelName, input, output, shard, threads, maxBatchSize, maxBatchTokens, kvCacheMb,
                    requestTimeoutMs, maxRequests, progressMillis, batchInvariant, Map.of());
        }
    }

    /** The pipeline stage cache of one run: repeated inputs of a job are computed once. */
    private static final long PIPELINE_CACHE_BYTES = 64L << 20;

    /** What a run did: lines of this shard, those done in this run, and the tokens and time of this run. */
    public record Summary(long total, long doneBefore, long done, long failed, long promptTokens, long generatedTokens,
                          double seconds, boolean complete) {
        public double tokensPerSecond() {
            return seconds > 0 ? generatedTokens / seconds : 0;
        }
    }

    private final Settings settings;
    private final PrintWriter err;
    private final boolean terminal;
    private final ObjectMapper mapper = StrictJson.newMapper();

    public BatchJob(Settings settings, PrintWriter err, boolean terminal) {
        this.settings = settings;
        this.err = err;
        this.terminal = terminal;
    }

    public Summary run() throws IOException, InterruptedException {
        Path input = settings.input();
        if (!Files.isRegularFile(input)) {
            throw new IllegalArgumentException("no input file " + input);
        }
        if (!Files.isRegularFile(settings.model())) {
            throw new IllegalArgumentException("no model file " + settings.model());
        }
        long requests = countRequests(input);
        long total = settings.shard().sizeOf(requests);
        try (Checkpoint checkpoint = Checkpoint.open(settings.output(), header(requests), total)) {
            checkpoint.notes().forEach(note -> err.println("starling batch: " + note));
            long doneBefore = checkpoint.doneCount();
            if (checkpoint.finished()) {
                return new Summary(total, total, 0, 0, 0, 0, 0, true);
            }
            try (GgufFile file = GgufFile.open(settings.model())) {
                String id = settings.modelName() != null ? settings.modelName() : ServedModel.idFromFileName(settings.model());
                ModelText.Text text = ModelText.of(new ServedModel(id, settings.model(), file, ModelShape.of(file)));
                try (Scheduler scheduler = scheduler(text);
                     Progress progress = new Progress(total, doneBefore, err, terminal)) {
                    progress.start(settings.progressMillis());
                    RequestRunner runner = new RequestRunner(new SchedulerModel(text, scheduler), GenerationRequest.ANONYMOUS,
                            mapper, err, progress::token, pipelines());
                    LineFeeder feeder = new LineFeeder(mapper, runner, checkpoint, settings.maxBatchSize(),
                            (line, prompt, generated) -> progress.record(line.succeeded(), prompt, generated));
                    boolean stopped = feeder.feed(settings.input(), settings.shard(), settings.maxRequests(), null);
                    boolean complete = !stopped && checkpoint.doneCount() == total;
                    if (complete) {
                        checkpoint.finish();
                    }
                    return new Summary(total, doneBefore, progress.done(), progress.failed(), progress.promptTokens(),
                            progress.generatedTokens(), progress.seconds(), complete);
                }
            }
        }
    }

    /** The job's pipelines; their meters go nowhere (a batch run reports progress, not Prometheus metrics). */
    private Pipelines pipelines() {
        return new Pipelines(settings.pipelines(), new StageCache(PIPELINE_CACHE_BYTES),
                new PipelineMetrics(new SimpleMeterRegistry()), PredictionListener.NONE, StageTracer.NONE);
    }

    private Scheduler scheduler(ModelText.Text text) {
        // the queue holds what is in flight: a completions request may bring one job per prompt
        int queue = settings.maxBatchSize() * Prompts.MAX_PROMPTS;
        SchedulerSettings scheduling = new SchedulerSettings(queue, settings.maxBatchSize(), settings.maxBatchTokens(),
                settings.requestTimeoutMs(), settings.threads(), Map.of(), settings.batchInvariant(), false);
        KvSettings kv = KvSettings.ofMegabytes(settings.kvCacheMb(), 16, KvDtype.F16, Optional.empty(), 0, 0,
                Duration.ofMinutes(10));
        return new Scheduler(text, scheduling, kv.cachesFor(text.model().shape(), text.contextLength()), EngineMetrics.NONE);
    }

    /**
     * The job's identity, the journal's first line: a rerun continues only the same input (path and size), shard
     * and model, so results of different jobs never mix in one output.
     */
    private String header(long requests) throws IOException {
        Map<String, Object> identity = new LinkedHashMap<>();
        identity.put("starling_batch", 1);
        identity.put("input", settings.input().toAbsolutePath().normalize().toString());
        identity.put("input_bytes", Files.size(settings.input()));
        identity.put("requests", requests);
        identity.put("shard", settings.shard().toString());
        identity.put("model", settings.model().toAbsolutePath().normalize().toString());
        if (!settings.pipelines().isEmpty()) {
            // pipeline lines answer by these definitions: a changed one must not continue an output made with another
            identity.put("pipelines", new TreeMap<>(settings.pipelines()).toString());
        }
        return mapper.writeValueAsString(identity);
    }

    private static long countRequests(Path input) throws IOException {
        long count = 0;
        try (JsonLines lines = new JsonLines(input)) {
            while (lines.next() != null) {
                count++;
            }
        }
        return count;
    }
}
