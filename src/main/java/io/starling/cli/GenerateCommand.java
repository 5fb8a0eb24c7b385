package io.starling.cli;

import io.starling.model.Generator;
import io.starling.sampling.Sampler;
import io.starling.sampling.SamplerConfig;
import io.starling.tokenizer.StreamingDecoder;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Continue a prompt. stdout holds exactly the generated text, streamed as it is produced;",
                "timings go to stderr. Temperature 0 is greedy."})
final class GenerateCommand implements Callable<Integer> {

    @Mixin
    ModelOptions modelOptions;

    @Option(names = {"-p", "--prompt"}, required = true, description = "The prompt (BOS is added as the model asks).")
    String prompt;

    @Option(names = {"-n", "--n-predict"}, defaultValue = "128", description = "Tokens to generate (default ${DEFAULT-VALUE}).")
    int tokens;

    @Option(names = "--temp", defaultValue = "0.8", description = "Temperature (default ${DEFAULT-VALUE}; 0 = greedy).")
    float temperature;

    @Option(names = "--top-k", defaultValue = "40", description = "Top-k (default ${DEFAULT-VALUE}; 0 = off).")
    int topK;

    @Option(names = "--top-p", defaultValue = "0.95", description = "Top-p (default ${DEFAULT-VALUE}; 1 = off).")
    float topP;

    @Option(names = "--repeat-penalty", defaultValue = "1.0", description = "Repetition penalty (default ${DEFAULT-VALUE} = off).")
    float repeatPenalty;

    @Option(names = "--seed", description = "Sampling seed (default: random, printed to stderr).")
    Long seed;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (tokens < 0) {
            throw new IllegalArgumentException("-n must be >= 0, got " + tokens);
        }
        long actualSeed = seed != null ? seed : ThreadLocalRandom.current().nextLong();
        SamplerConfig config = new SamplerConfig(temperature, topK, topP, repeatPenalty, 64, 0f, 0f, actualSeed,
                false, 0, null);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        long loadStart = System.nanoTime();
        try (CliModel loaded = modelOptions.open()) {
            int[] promptIds = loaded.tokenizer().encode(prompt, true, false).ids();
            StreamingDecoder decoder = loaded.tokenizer().newStreamingDecoder();
            Sampler sampler = new Sampler(config, loaded.tokenizer().vocabSize());
            long start = System.nanoTime();
            long[] firstToken = {0};
            Generator.Generation generation = new Generator(loaded.model(), 512).generate(promptIds, sampler, tokens,
                    loaded.tokenizer().endOfGenerationTokens(), sample -> {
                        if (firstToken[0] == 0) {
                            firstToken[0] = System.nanoTime();
                        }
                        out.print(decoder.accept(sample.token()));
                        out.flush();
                        return true;
                    });
            out.print(decoder.flush());
            out.flush();
            long end = System.nanoTime();
            int generated = generation.tokens().length;
            double prefillMs = ((firstToken[0] == 0 ? end : firstToken[0]) - start) / 1e6;
            double decodeMs = firstToken[0] == 0 ? 0 : (end - firstToken[0]) / 1e6;
            err.printf(Locale.ROOT, "%nstarling: load %.0f ms | prompt %d tokens in %.1f ms (%.1f tok/s) | "
                            + "generated %d tokens in %.1f ms (%.1f tok/s) | stop: %s | seed %d%n",
                    (start - loadStart) / 1e6, promptIds.length, prefillMs, promptIds.length * 1000 / Math.max(prefillMs, 1e-3),
                    generated, decodeMs, generated > 1 ? (generated - 1) * 1000 / Math.max(decodeMs, 1e-3) : 0.0,
                    generation.reason().name().toLowerCase(Locale.ROOT), actualSeed);
            err.flush();
        }
        return 0;
    }
}
