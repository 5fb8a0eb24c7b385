package io.starling.cli;

import io.starling.gguf.GgmlType;
import io.starling.gguf.GgufFile;
import io.starling.gguf.GgufTensor;
import io.starling.model.Batch;
import io.starling.model.KvStore;
import io.starling.model.LlamaModel;
import io.starling.model.Warmup;
import io.starling.tensor.MatMul;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Prompt-processing and generation speed, measured the way llama-bench measures them so the two tables can be
 * put side by side: pp = one forward pass over N random prompt tokens (logits of the last one only), tg = N
 * single-token decode steps from an empty context; the model's code warmed first (a {@link Warmup}: every kernel
 * shape until the JIT has compiled it, so a short tg run does not time compilation) and warm-up runs of each test
 * until its time settles, the KV cache cleared before every repetition, t/s = tokens / time of each repetition,
 * reported as mean ± sample standard deviation.
 *
 * <p>{@code --batch B} adds a row {@code tgN x B}: B sequences decoding together, one token each per step, t/s
 * counting all of their tokens (what continuous batching gains over one sequence).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Prompt processing (pp) and generation (tg) tokens/s, printed as llama-bench's markdown table.")
final class BenchCommand implements Callable<Integer> {
    private static final double SETTLED = 1.02;
    private static final int MAX_WARM_UPS = 5;

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "FILE", description = "The GGUF model.")
    Path model;

    @Option(names = {"-p", "--n-prompt"}, defaultValue = "512", paramLabel = "N",
            description = "Prompt tokens of the pp test; 0 skips it (default ${DEFAULT-VALUE}).")
    int prompt;

    @Option(names = {"-n", "--n-gen"}, defaultValue = "128", paramLabel = "N",
            description = "Generated tokens of the tg test; 0 skips it (default ${DEFAULT-VALUE}).")
    int gen;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Compute threads (default: all cores).")
    Integer threads;

    @Option(names = {"-r", "--repetitions"}, defaultValue = "5", paramLabel = "N",
            description = "Repetitions of each test (default ${DEFAULT-VALUE}).")
    int reps;

    @Option(names = "--batch", defaultValue = "1", paramLabel = "B",
            description = "Also run tg with B sequences decoding together (default ${DEFAULT-VALUE}: no such row).")
    int batch;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        int n = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (prompt < 0 || gen < 0 || reps < 1 || batch < 1 || n < 1) {
            throw new IllegalArgumentException("-p and -n must be >= 0, -r, -t and --batch >= 1");
        }
        try (GgufFile file = GgufFile.open(model); MatMul matMul = new MatMul(n)) {
            LlamaModel llama = LlamaModel.load(file, matMul);
            Warmup warmup = new Warmup(llama);
            while (warmup.step()) {
                // until every phase has settled
            }
            spec.commandLine().getErr().printf("warmed up in %d ms%n", warmup.busyNanos() / 1_000_000);
            int context = Math.max(1, Math.max(prompt, gen));
            Runner runner = new Runner(llama, context, Math.max(1, batch));
            String description = describe(file);
            long size = 0;
            long params = 0;
            for (GgufTensor t : file.tensors()) {
                size += t.byteSize();
                params += t.elementCount();
            }
            BenchTable table = new BenchTable(out, description, size, params, n);
            table.header();
            if (prompt > 0) {
                settle(() -> runner.prompt(prompt));
                table.row("pp" + prompt, measure(prompt, () -> runner.prompt(prompt)));
            }
            if (gen > 0) {
                settle(() -> runner.generate(gen, 1));
                table.row("tg" + gen, measure(gen, () -> runner.generate(gen, 1)));
                if (batch > 1) {
                    settle(() -> runner.generate(gen, batch));
                    table.row("tg" + gen + " x" + batch, measure((long) gen * batch, () -> runner.generate(gen, batch)));
                }
            }
        }
        out.flush();
        return 0;
    }

    /**
     * Warm-up runs of a test until its time settles: more while each is over 2% ({@link #SETTLED}) faster than the best
     * before it, at most {@link #MAX_WARM_UPS}. One run was not enough: the JIT was still compiling the step's code
     * for the larger shapes (attention, norms, RoPE over 128 tokens) during the first timed repetition, whose pp128
     * came out at 92-93 against 98-99 t/s for the rest.
     */
    private static void settle(Runnable test) {
        long best = Long.MAX_VALUE;
        for (int run = 0; run < MAX_WARM_UPS; run++) {
            long start = System.nanoTime();
            test.run();
            long took = System.nanoTime() - start;
            if (took * SETTLED >= best) {
                return;
            }
            best = took;
        }
    }

    /** Tokens/s of each repetition. */
    private double[] measure(long tokens, Runnable test) {
        double[] rates = new double[reps];
        for (int i = 0; i < reps; i++) {
            long start = System.nanoTime();
            test.run();
            rates[i] = 1e9 * tokens / (System.nanoTime() - start);
        }
        return rates;
    }

    /** "llama 1B Q4_0": architecture, size class and the type holding most weight bytes (llama_model_desc's shape). */
    private static String describe(GgufFile file) {
        Map<GgmlType, Long> bytes = new EnumMap<>(GgmlType.class);
        long params = 0;
        for (GgufTensor t : file.tensors()) {
            params += t.elementCount();
            if (t.dims() == 2) {
                bytes.merge(t.type(), t.byteSize(), Long::sum);
            }
        }
        GgmlType main = bytes.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(GgmlType.F32);
        String scale = params >= 1_000_000_000L ? Math.round(params / 1e9) + "B" : Math.max(1, Math.round(params / 1e6)) + "M";
        return file.architecture() + " " + scale + " " + main;
    }

    /** The model, its KV stores and the token buffers; nothing is allocated per decode step but the batch record. */
    private static final class Runner {
        private final LlamaModel model;
        private final int vocab;
        private final List<KvStore> kv = new ArrayList<>();
        private final SplittableRandom random = new SplittableRandom(42);

        Runner(LlamaModel model, int context, int sequences) {
            this.model = model;
            this.vocab = model.shape().vocabSize();
            for (int s = 0; s < sequences; s++) {
                kv.add(model.newKvStore(context));
            }
        }

        /** One forward over {@code count} random tokens from position 0 (an empty cache). */
        void prompt(int count) {
            int[] tokens = new int[count];
            for (int i = 0; i < count; i++) {
                tokens[i] = random.nextInt(vocab);
            }
            model.forward(Batch.single(kv.get(0), 0, tokens, Batch.Outputs.LAST));
        }

        /** {@code steps} decode steps of {@code sequences} sequences from empty caches, one token each per step. */
        void generate(int steps, int sequences) {
            List<Batch.Sequence> step = new ArrayList<>(sequences);
            for (int p = 0; p < steps; p++) {
                step.clear();
                for (int s = 0; s < sequences; s++) {
                    step.add(new Batch.Sequence(kv.get(s), p, new int[] {random.nextInt(vocab)}, Batch.Outputs.LAST));
                }
                model.forward(new Batch(step));
            }
        }
    }

    /** llama-bench's markdown layout: same columns, widths and number formats. */
    record BenchTable(PrintWriter out, String model, long size, long params, int threads) {

        void header() {
            out.printf("| %-30s | %10s | %10s | %-10s | %7s | %15s | %20s |%n",
                    "model", "size", "params", "backend", "threads", "test", "t/s");
            out.printf("| %s | %s | %s | %s | %s | %s | %s |%n",
                    "-".repeat(30), "-".repeat(9) + ":", "-".repeat(9) + ":", "-".repeat(10), "-".repeat(6) + ":",
                    "-".repeat(14) + ":", "-".repeat(19) + ":");
            out.flush();
        }

        void row(String test, double[] rates) {
            String sizeText = size < 1024L * 1024 * 1024
                    ? String.format(Locale.ROOT, "%.2f MiB", size / 1024.0 / 1024.0)
                    : String.format(Locale.ROOT, "%.2f GiB", size / 1024.0 / 1024.0 / 1024.0);
            String paramText = params < 1_000_000_000L
                    ? String.format(Locale.ROOT, "%.2f M", params / 1e6)
                    : String.format(Locale.ROOT, "%.2f B", params / 1e9);
            out.printf(Locale.ROOT, "| %-30s | %10s | %10s | %-10s | %7d | %15s | %20s |%n",
                    model, sizeText, paramText, "CPU", threads, test,
                    String.format(Locale.ROOT, "%.2f ± %.2f", mean(rates), stdev(rates)));
            out.flush();
        }

        static double mean(double[] v) {
            double sum = 0;
            for (double x : v) {
                sum += x;
            }
            return sum / v.length;
        }

        /** Sample standard deviation (n - 1), 0 for one sample, as llama-bench. */
        static double stdev(double[] v) {
            if (v.length < 2) {
                return 0;
            }
            double m = mean(v);
            double sq = 0;
            for (double x : v) {
                sq += (x - m) * (x - m);
            }
            return Math.sqrt(sq / (v.length - 1));
        }
    }
}
