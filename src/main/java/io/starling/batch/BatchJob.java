package io.starling.batch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.starling.api.inference.Prompts;
import io.starling.api.json.StrictJson;
import io.starling.engine.EngineMetrics;
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
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;

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
                    boolean stopped = feed(new RequestRunner(text, scheduler, mapper, err, progress::token, pipelines()),
                            checkpoint, progress);
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

    /**
     * Submits every request of this shard that has no result yet, keeping at most {@code maxBatchSize} in flight,
     * and waits for the last; true if it stopped early at {@code maxRequests}.
     */
    private boolean feed(RequestRunner runner, Checkpoint checkpoint, Progress progress)
            throws IOException, InterruptedException {
        int inFlight = settings.maxBatchSize();
        Semaphore slots = new Semaphore(inFlight);
        AtomicReference<Throwable> fatal = new AtomicReference<>();
        BatchInput.Reader reader = new BatchInput.Reader(mapper);
        long submitted = 0;
        boolean stopped = false;
        try (JsonLines lines = new JsonLines(settings.input())) {
            for (JsonLines.Line line = lines.next(); line != null && fatal.get() == null; line = lines.next()) {
                BatchInput next = reader.read(line);
                if (!settings.shard().takes(next.request()) || checkpoint.done(next.request())) {
                    continue;
                }
                if (settings.maxRequests() > 0 && submitted == settings.maxRequests()) {
                    stopped = true;
                    break;
                }
                submitted++;
                switch (next) {
                    case BatchInput.Invalid invalid -> {
                        write(checkpoint, progress, invalid.request(),
                                ResultLine.refused(invalid.customId(), invalid.code(), invalid.message()), 0, 0);
                    }
                    case BatchInput.Request request -> {
                        slots.acquire();
                        runner.run(request).subscribe().with(outcome -> {
                            try {
                                write(checkpoint, progress, request.request(),
                                        ResultLine.answered(request.customId(), outcome.status(), outcome.body()),
                                        outcome.promptTokens(), outcome.generatedTokens());
                            } catch (IOException | RuntimeException e) {
                                fatal.compareAndSet(null, e);
                            } finally {
                                slots.release();
                            }
                        }, failure -> {
                            fatal.compareAndSet(null, failure);
                            slots.release();
                        });
                    }
                }
            }
        }
        slots.acquire(inFlight);
        Throwable failure = fatal.get();
        if (failure != null) {
            if (failure instanceof IOException io) {
                throw io;
            }
            throw new IllegalStateException("the batch job failed: " + failure, failure);
        }
        return stopped;
    }

    private void write(Checkpoint checkpoint, Progress progress, long request, ResultLine line, long prompt,
                       long generated) throws IOException {
        String json;
        try {
            json = mapper.writeValueAsString(line);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        checkpoint.append(request, json);
        progress.record(line.succeeded(), prompt, generated);
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
                settings.requestTimeoutMs(), settings.threads(), Map.of(), settings.batchInvariant());
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
