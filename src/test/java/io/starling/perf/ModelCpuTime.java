package io.starling.perf;

import io.starling.gguf.GgufFile;
import io.starling.model.Batch;
import io.starling.model.KvStore;
import io.starling.model.LlamaModel;
import io.starling.model.Logits;
import io.starling.sampling.LogSoftmax;
import io.starling.sampling.Sampler;
import io.starling.sampling.SamplerConfig;
import io.starling.tensor.MatMul;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Whole-model throughput in CPU time, for a machine shared with other builds (where wall time measures the
 * neighbours): with one kernel thread every multiply-add runs on the calling thread, so its CPU time is the cost.
 *
 * <pre>perf/model-cputime MODEL.gguf tg N [SEQUENCES]    # N decode steps of SEQUENCES sequences (default 1)
 * perf/model-cputime MODEL.gguf pp N                  # one prefill of N tokens</pre>
 * Prints tokens per CPU-second (and per wall-second) and the bytes the thread allocated per token (the KV caches
 * are made beforehand; the batch objects of each step are counted) for four repetitions; the first includes JIT
 * warm-up. Decode runs then time the greedy sampler on the last logits row, apart (the chosen token's log-probability
 * included, which every generated token pays for), to set beside the step it follows.
 */
public final class ModelCpuTime {

    private ModelCpuTime() {
    }

    /** CPU microseconds of one greedy sample of a logits row, over enough samples to be read on a shared machine. */
    private static void samplerCost(Logits logits, com.sun.management.ThreadMXBean threads) {
        Sampler sampler = new Sampler(SamplerConfig.greedy(), logits.vocabSize());
        int samples = 2000;
        long cpu = threads.getCurrentThreadCpuTime();
        float sum = 0;
        for (int i = 0; i < samples; i++) {
            sum += sampler.sample(logits.array(), logits.offset(0)).logprob();
        }
        double sampleMicros = (threads.getCurrentThreadCpuTime() - cpu) / 1e3 / samples;
        cpu = threads.getCurrentThreadCpuTime();
        double logSum = 0;
        for (int i = 0; i < samples; i++) {
            logSum += LogSoftmax.logSumExp(logits.array(), logits.offset(0), logits.vocabSize());
        }
        double logSumMicros = (threads.getCurrentThreadCpuTime() - cpu) / 1e3 / samples;
        System.out.printf("  greedy sample: %.1f CPU-us per token, of which the logprob's log-sum-exp %.1f (vocab %d;"
                + " mean logprob %.3f, log-sum-exp %.3f)%n", sampleMicros, logSumMicros, logits.vocabSize(),
                sum / samples, logSum / samples);
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        boolean prefill = args[1].equals("pp");
        int n = Integer.parseInt(args[2]);
        int sequences = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (GgufFile gguf = GgufFile.open(file); MatMul matMul = new MatMul(1)) {
            LlamaModel model = LlamaModel.load(gguf, matMul);
            int vocab = model.shape().vocabSize();
            int[] prompt = new int[n];
            for (int i = 0; i < n; i++) {
                prompt[i] = (i * 7919 + 1) % vocab;
            }
            for (int rep = 0; rep < 4; rep++) {
                // the caches are made before the clock starts: what is counted is the steps themselves
                KvStore[] kv = new KvStore[sequences];
                for (int s = 0; s < sequences; s++) {
                    kv[s] = model.newKvStore(n);
                }
                long cpu = threads.getCurrentThreadCpuTime();
                long allocated = threads.getCurrentThreadAllocatedBytes();
                long wall = System.nanoTime();
                int tokens;
                Logits last = null;
                if (prefill) {
                    model.forward(Batch.single(kv[0], 0, prompt, Batch.Outputs.LAST));
                    tokens = n;
                } else {
                    for (int step = 0; step < n; step++) {
                        List<Batch.Sequence> batch = new ArrayList<>(sequences);
                        for (int s = 0; s < sequences; s++) {
                            batch.add(new Batch.Sequence(kv[s], step, new int[] {(step * 7919 + s * 31 + 1) % vocab},
                                    Batch.Outputs.LAST));
                        }
                        last = model.forward(new Batch(batch));
                    }
                    tokens = n * sequences;
                }
                double cpuSeconds = (threads.getCurrentThreadCpuTime() - cpu) / 1e9;
                long bytes = threads.getCurrentThreadAllocatedBytes() - allocated;
                double wallSeconds = (System.nanoTime() - wall) / 1e9;
                System.out.printf("%s%d%s: %.2f tokens per CPU-second (%.2f per wall-second), %d bytes allocated per token%n",
                        prefill ? "pp" : "tg", n, sequences > 1 ? " x" + sequences : "", tokens / cpuSeconds,
                        tokens / wallSeconds, bytes / tokens);
                if (!prefill) {
                    samplerCost(last, threads);
                }
            }
        }
    }
}
