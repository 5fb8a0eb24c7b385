package io.starling.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.starling.TestModels;
import io.starling.gguf.GgufFile;
import io.starling.sampling.LogSoftmax;
import io.starling.tensor.MatMul;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The issue's "Done when" criteria against llama.cpp's greedy runs in {@code golden.json}, one test per file and
 * criterion. Tolerances are the issue's; a criterion we know we do not meet yet is listed in a PENDING set with
 * the reason, and then runs in full but aborts (shows as skipped, with the measured deviation) instead of failing,
 * so it turns green by itself the day it holds.
 */
class GoldenConformanceTest {

    private static final double TOP5_TOLERANCE = 1e-3;
    private static final double QUANTIZED_LOGPROB_TOLERANCE = 0.1;
    private static final double DECISIVE_MARGIN = 0.1;

    /** Every F32/F16 file meets the top-5 bar (llama.cpp's float arithmetic reproduced operation for operation). */
    private static final Set<String> TOP5_PENDING = Set.of();

    /** Every quantized file meets the teacher-forced bar. */
    private static final Set<String> QUANTIZED_PENDING = Set.of();

    private static MatMul matMul;

    @BeforeAll
    static void startKernels() {
        matMul = new MatMul(1);
    }

    @AfterAll
    static void stopKernels() {
        matMul.close();
    }

    static Stream<String> floatFiles() {
        return Golden.files().stream().filter(GoldenConformanceTest::isFloat);
    }

    static Stream<String> quantizedFiles() {
        return Golden.files().stream().filter(f -> !isFloat(f));
    }

    private static boolean isFloat(String file) {
        return file.endsWith("-f32.gguf") || file.endsWith("-f16.gguf");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("floatFiles")
    void greedyContinuationEqualsGolden(String file) throws Exception {
        Golden golden = Golden.of(file);
        int[] generated = greedy(file, golden.promptTokens(), golden.generatedTokens().length, null);
        assertThat(generated).as(file + " greedy continuation").containsExactly(golden.generatedTokens());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("floatFiles")
    void top5LogprobsAgreeWithinIssueTolerance(String file) throws Exception {
        Golden golden = Golden.of(file);
        List<String> failures = new ArrayList<>();
        double[] worst = new double[1];
        greedy(file, golden.promptTokens(), golden.generatedTokens().length, (step, logits) -> {
            int offset = logits.offset(0);
            double logSum = LogSoftmax.logSumExp(logits.array(), offset, logits.vocabSize());
            for (Golden.TokenLogprob expected : golden.top5().get(step)) {
                double deviation = Math.abs(logits.array()[offset + expected.id()] - logSum - expected.logprob());
                worst[0] = Math.max(worst[0], deviation);
                if (deviation > TOP5_TOLERANCE) {
                    failures.add("step %d token %d: %.5f off".formatted(step, expected.id(), deviation));
                }
            }
        });
        report(file, failures, "worst top-5 logprob deviation %.5f".formatted(worst[0]), TOP5_PENDING);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("quantizedFiles")
    void teacherForcedAlongGoldenTokens(String file) throws Exception {
        Golden golden = Golden.of(file);
        List<String> failures = new ArrayList<>();
        double[] worst = new double[1];
        // fed as llama-server produced golden: the prompt in one batch, then golden's tokens one by one (the
        // batch size decides which llama.cpp kernels, and so which summation order, a matrix product gets)
        decode(file, golden.promptTokens(), golden.generatedTokens(), (step, logits) -> {
            int offset = logits.offset(0);
            List<Golden.TokenLogprob> top = golden.top5().get(step);
            Golden.TokenLogprob best = top.get(0);
            double margin = best.logprob() - top.get(1).logprob();
            int argmax = LogSoftmax.argmax(logits.array(), offset, logits.vocabSize());
            if (margin >= DECISIVE_MARGIN && argmax != best.id()) {
                failures.add("step %d: argmax %d, golden %d by a margin of %.3f".formatted(step, argmax, best.id(), margin));
            }
            double deviation = Math.abs(LogSoftmax.logprob(logits.array(), offset, logits.vocabSize(), best.id())
                    - best.logprob());
            worst[0] = Math.max(worst[0], deviation);
            if (deviation > QUANTIZED_LOGPROB_TOLERANCE) {
                failures.add("step %d: logprob of golden token %d is %.3f off".formatted(step, best.id(), deviation));
            }
        });
        report(file, failures, "worst golden-token logprob deviation %.4f".formatted(worst[0]), QUANTIZED_PENDING);
    }

    private static void report(String file, List<String> failures, String summary, Set<String> pending) {
        System.out.println(file + ": " + summary + (failures.isEmpty() ? "" : ", " + failures.size() + " failures"));
        if (failures.isEmpty()) {
            return;
        }
        String message = file + ": " + summary + "; " + failures;
        if (pending.contains(file)) {
            Assumptions.abort("known pending (see the PENDING sets' reasons): " + message);
        }
        fail(message);
    }

    /** What a test sees at each generated step: the logits row the step's token was chosen from. */
    private interface StepObserver {
        void step(int step, Logits logits);
    }

    /** Prefills the prompt, then decodes greedily one token at a time, as llama-server produced the golden runs. */
    private static int[] greedy(String file, int[] prompt, int steps, StepObserver observer) throws Exception {
        return decode(file, prompt, new int[steps], observer, true);
    }

    /** Prefills the prompt, then feeds {@code forced} one token at a time (teacher forcing). */
    private static void decode(String file, int[] prompt, int[] forced, StepObserver observer) throws Exception {
        decode(file, prompt, forced, observer, false);
    }

    private static int[] decode(String file, int[] prompt, int[] tokens, StepObserver observer, boolean greedy)
            throws Exception {
        try (GgufFile gguf = GgufFile.open(TestModels.file(file))) {
            LlamaModel model = LlamaModel.load(gguf, matMul);
            int steps = tokens.length;
            KvStore kv = model.newKvStore(prompt.length + steps);
            Logits logits = model.forward(Batch.single(kv, 0, prompt, Batch.Outputs.LAST));
            for (int step = 0; step < steps; step++) {
                if (observer != null) {
                    observer.step(step, logits);
                }
                if (greedy) {
                    tokens[step] = LogSoftmax.argmax(logits.array(), logits.offset(0), logits.vocabSize());
                }
                logits = model.forward(Batch.single(kv, prompt.length + step, new int[] {tokens[step]},
                        Batch.Outputs.LAST));
            }
            return tokens;
        }
    }
}
