package io.starling.cli;

import io.starling.batch.BatchJob;
import io.starling.batch.Shard;
import io.starling.pipeline.PipelineConfig;
import io.starling.pipeline.PipelineConfigException;
import io.starling.pipeline.PipelineSpec;
import java.io.Console;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code starling batch}: an OpenAI Batch API input file run offline on the continuous-batching engine. The
 * options are checked by hand rather than marked required, so {@code starling batch merge} needs none of them.
 */
@Command(name = "batch", mixinStandardHelpOptions = true, subcommands = BatchMergeCommand.class,
        description = {"Run an OpenAI Batch input file (JSONL: custom_id, method, url, body) on the engine and write "
                + "one OpenAI batch output line per input line.",
                "Results are checkpointed as they complete: run the same command again after a crash to continue.",
                "The finished output is in input order. Progress and a summary go to stderr."})
final class BatchCommand implements Callable<Integer> {

    @Option(names = {"-m", "--model"}, paramLabel = "FILE.gguf", description = "The model.")
    Path model;

    @Option(names = "--model-name", description = "The model id in responses; a body's model must name it or be "
            + "absent (default: the file name without .gguf, as the server).")
    String modelName;

    @Option(names = {"-i", "--input"}, paramLabel = "IN.jsonl", description = "The OpenAI Batch input file.")
    Path input;

    @Option(names = {"-o", "--output"}, paramLabel = "OUT.jsonl",
            description = "The output file; OUT.jsonl.progress beside it is the checkpoint journal while running.")
    Path output;

    @Option(names = "--shard", paramLabel = "I/N", defaultValue = "0/1",
            description = "Run only requests I, I+N, I+2N, … (0-based; default ${DEFAULT-VALUE}: all).")
    String shard;

    @Option(names = {"-t", "--threads"}, defaultValue = "0", description = "Kernel threads (default: the cores).")
    int threads;

    @Option(names = "--max-batch-size", defaultValue = "16",
            description = "Sequences per engine step and requests in flight (default ${DEFAULT-VALUE}).")
    int maxBatchSize;

    @Option(names = "--max-batch-tokens", defaultValue = "512",
            description = "Tokens per engine step, prompt chunks plus decodes (default ${DEFAULT-VALUE}).")
    int maxBatchTokens;

    @Option(names = "--kv-cache-mb", defaultValue = "256", description = "KV cache cap in MiB (default ${DEFAULT-VALUE}).")
    double kvCacheMb;

    @Option(names = "--request-timeout-s", defaultValue = "3600",
            description = "A request running longer is answered with 504 (default ${DEFAULT-VALUE}).")
    long requestTimeoutSeconds;

    @Option(names = "--max-requests", defaultValue = "0",
            description = "Stop after this many lines in this run, leaving the job resumable (default 0: all).")
    long maxRequests;

    @Option(names = "--progress-interval-s", defaultValue = "10",
            description = "Seconds between progress lines when stderr is no terminal (default ${DEFAULT-VALUE}).")
    long progressSeconds;

    @Option(names = "--batch-invariant", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Compute every request alike whatever shares its engine step, so a resumed or sharded job "
                    + "gives exactly an uninterrupted run's results (default); --no-batch-invariant is 5-12% faster "
                    + "at decode and prefills faster, but near ties may then fall either way.")
    boolean batchInvariant;

    @Option(names = "--config", paramLabel = "FILE.properties",
            description = "A properties file with the pipelines /v1/pipelines/{name} lines may name (starling.pipelines.*, "
                    + "as the server reads them, e.g. its config/application.properties); STARLING_PIPELINES_* env vars "
                    + "and -Dstarling.pipelines.* override it.")
    Path config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        for (Object[] required : new Object[][] {{model, "--model"}, {input, "--input"}, {output, "--output"}}) {
            if (required[0] == null) {
                throw new ParameterException(spec.commandLine(), "Missing required option: '" + required[1] + "'");
            }
        }
        if (maxRequests < 0 || progressSeconds < 1 || requestTimeoutSeconds < 1) {
            throw new ParameterException(spec.commandLine(),
                    "--max-requests must be >= 0, --progress-interval-s and --request-timeout-s >= 1");
        }
        Console console = System.console();
        boolean terminal = console != null && console.isTerminal();
        PrintWriter err = spec.commandLine().getErr();
        BatchJob.Settings settings = new BatchJob.Settings(model, modelName, input, output, Shard.parse(shard), threads,
                maxBatchSize, maxBatchTokens, kvCacheMb, requestTimeoutSeconds * 1000, maxRequests,
                terminal ? 500 : progressSeconds * 1000, batchInvariant, pipelines());
        BatchJob.Summary summary = new BatchJob(settings, err, terminal).run();
        err.printf(Locale.ROOT, "starling batch: %d/%d lines done (%d in this run, %d of them failed)%n",
                summary.doneBefore() + summary.done(), summary.total(), summary.done(), summary.failed());
        err.printf(Locale.ROOT, "starling batch: tokens: %d prompt, %d generated in %.1f s: %.1f generated tokens/s%n",
                summary.promptTokens(), summary.generatedTokens(), summary.seconds(), summary.tokensPerSecond());
        err.println(summary.complete() ? "starling batch: complete: " + output
                : "starling batch: stopped early; run the same command again to continue");
        err.flush();
        return 0;
    }

    /** The pipelines of --config, system properties and env vars, in rising priority as the server ranks them. */
    private Map<String, PipelineSpec> pipelines() throws IOException {
        Map<String, String> properties = new HashMap<>();
        if (config != null) {
            if (!Files.isRegularFile(config)) {
                throw new ParameterException(spec.commandLine(), "--config: no file " + config);
            }
            Properties file = new Properties();
            try (Reader reader = Files.newBufferedReader(config)) {
                file.load(reader);
            }
            file.stringPropertyNames().forEach(key -> properties.put(key, file.getProperty(key)));
        }
        System.getProperties().stringPropertyNames().forEach(key -> properties.put(key, System.getProperty(key)));
        try {
            return PipelineConfig.parse(properties, System.getenv());
        } catch (PipelineConfigException e) {
            throw new ParameterException(spec.commandLine(), "bad pipeline definition: " + e.getMessage());
        }
    }
}
