package io.starling.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.withinPercentage;

import io.starling.TestModels;
import io.starling.gguf.GgufFile;
import io.starling.sampling.LogSoftmax;
import io.starling.sampling.Sample;
import io.starling.sampling.Sampler;
import io.starling.sampling.SamplerConfig;
import io.starling.tensor.MatMul;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GeneratorTest {

    @TempDir
    static Path dir;
    private static MatMul matMul;
    private static GgufFile file;
    private static LlamaModel model;

    @BeforeAll
    static void load() throws Exception {
        matMul = new MatMul(1);
        file = GgufFile.open(SyntheticModel.builder().context(16).write(dir.resolve("tiny.gguf")));
        model = LlamaModel.load(file, matMul);
    }

    @AfterAll
    static void close() {
        file.close();
        matMul.close();
    }

    @Test
    void greedyGenerationReproducesLlamaCppOnTheRealModel() throws Exception {
        Golden golden = Golden.of("stories260K-f32.gguf");
        try (GgufFile real = GgufFile.open(TestModels.file("stories260K-f32.gguf"))) {
            Generator generator = new Generator(LlamaModel.load(real, matMul), 2); // chunked prefill on purpose
            List<Integer> streamed = new ArrayList<>();
            Generator.Generation generation = generator.generate(golden.promptTokens(),
                    new Sampler(SamplerConfig.greedy(), 512), 64, Set.of(2), s -> streamed.add(s.token()));
            assertThat(generation.tokens()).containsExactly(golden.generatedTokens());
            assertThat(generation.reason()).isEqualTo(Generator.StopReason.LENGTH);
            assertThat(streamed).containsExactly(Arrays.stream(golden.generatedTokens()).boxed().toArray(Integer[]::new));
        }
    }

    @Test
    void aStopTokenEndsGenerationWithoutBeingEmitted() {
        int[] prompt = {1, 5, 9};
        int first = firstGreedyToken(prompt);
        List<Sample> streamed = new ArrayList<>();
        Generator.Generation generation = new Generator(model, 8).generate(prompt,
                new Sampler(SamplerConfig.greedy(), 64), 10, Set.of(first), streamed::add);
        assertThat(generation.tokens()).isEmpty();
        assertThat(generation.reason()).isEqualTo(Generator.StopReason.STOP_TOKEN);
        assertThat(streamed).isEmpty();
    }

    @Test
    void theListenerCanCancel() {
        Generator.Generation generation = new Generator(model, 8).generate(new int[] {1, 2},
                new Sampler(SamplerConfig.sampling(1f, 3), 64), 10, Set.of(), s -> false);
        assertThat(generation.tokens()).hasSize(1);
        assertThat(generation.reason()).isEqualTo(Generator.StopReason.CANCELLED);
    }

    @Test
    void generationStopsAtTheContextEnd() {
        Generator.Generation generation = new Generator(model, 8).generate(new int[] {1, 2, 3, 4, 5, 6},
                new Sampler(SamplerConfig.sampling(1f, 3), 64), 100, Set.of(), s -> true);
        // 16 positions: 6 prompt tokens, then 10 generated tokens fill the cache and the 11th has no room
        assertThat(generation.tokens()).hasSize(11);
        assertThat(generation.reason()).isEqualTo(Generator.StopReason.CONTEXT);
    }

    @Test
    void sameSeedSameTokens() {
        SamplerConfig config = SamplerConfig.sampling(0.9f, 1234).withTopK(20).withTopP(0.9f);
        int[] first = new Generator(model, 8).generate(new int[] {1, 7}, new Sampler(config, 64), 8, Set.of(), s -> true).tokens();
        int[] second = new Generator(model, 3).generate(new int[] {1, 7}, new Sampler(config, 64), 8, Set.of(), s -> true).tokens();
        assertThat(second).containsExactly(first);
    }

    @Test
    void perplexityFollowsLlamaPerplexityOnAHandComputedReference() {
        int context = 8;
        int[] tokens = new int[21]; // two full chunks; the last five tokens are dropped as llama-perplexity does
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = (i * 7 + 3) % 64;
        }
        int bos = 1;
        Perplexity.Result result = Perplexity.compute(model, tokens, context, bos);

        double nll = 0;
        int count = 0;
        for (int c = 0; c < 2; c++) {
            int[] chunk = Arrays.copyOfRange(tokens, c * context, (c + 1) * context);
            chunk[0] = bos;
            KvStore kv = model.newKvStore(context);
            for (int j = 0; j < context - 1; j++) {
                Logits logits = model.forward(Batch.single(kv, j, new int[] {chunk[j]}, Batch.Outputs.LAST));
                if (j >= context / 2) {
                    nll -= LogSoftmax.logprob(logits.array(), 0, 64, chunk[j + 1]);
                    count++;
                }
            }
        }
        assertThat(result.chunks()).isEqualTo(2);
        assertThat(result.scoredTokens()).isEqualTo(6);
        assertThat(count).isEqualTo(6);
        // Scoring a chunk in one batch and token by token take different kernel tiles (different float summation
        // order), so the two agree to float precision, not bit for bit.
        assertThat(result.perplexity()).isCloseTo(Math.exp(nll / count), withinPercentage(5e-3));
    }

    private static int firstGreedyToken(int[] prompt) {
        Logits logits = model.forward(Batch.single(model.newKvStore(prompt.length), 0, prompt, Batch.Outputs.LAST));
        return LogSoftmax.argmax(logits.array(), 0, logits.vocabSize());
    }
}
