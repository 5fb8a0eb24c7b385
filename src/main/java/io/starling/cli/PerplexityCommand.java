package io.starling.cli;

import io.starling.model.Perplexity;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "perplexity", mixinStandardHelpOptions = true,
        description = {"Perplexity of a text the way llama-perplexity computes it: BOS + chunks of CTX tokens,",
                "the second half of each chunk scored. The last line is 'Final estimate: PPL = X.XXXX'."})
final class PerplexityCommand implements Callable<Integer> {

    @Mixin
    ModelOptions modelOptions;

    @Option(names = {"-f", "--file"}, required = true, paramLabel = "TEXT_FILE", description = "UTF-8 text to score.")
    Path text;

    @Option(names = {"-c", "--ctx-size"}, description = "Chunk size in tokens (default: the model's context, at most 512 like llama-perplexity's default).")
    Integer context;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        byte[] utf8 = Files.readAllBytes(text);
        PrintWriter out = spec.commandLine().getOut();
        try (CliModel loaded = modelOptions.open()) {
            int ctx = context != null ? context : Math.min(512, loaded.model().shape().contextLength());
            int[] tokens = loaded.tokenizer().encode(utf8, true, false).ids();
            int bos = loaded.tokenizer().addBos() ? loaded.tokenizer().bos() : -1;
            long start = System.nanoTime();
            Perplexity.Result result = Perplexity.compute(loaded.model(), tokens, ctx, bos);
            double seconds = (System.nanoTime() - start) / 1e9;
            spec.commandLine().getErr().printf(Locale.ROOT, "starling: %d tokens, %d chunks of %d, %d scored, %.2f s%n",
                    tokens.length, result.chunks(), ctx, result.scoredTokens(), seconds);
            StringBuilder running = new StringBuilder();
            double[] estimates = result.chunkEstimates();
            for (int i = 0; i < estimates.length; i++) {
                running.append(String.format(Locale.ROOT, "[%d]%.4f,", i + 1, estimates[i]));
            }
            out.println(running);
            out.printf(Locale.ROOT, "Final estimate: PPL = %.4f%n", result.perplexity());
        }
        out.flush();
        return 0;
    }
}
