package io.starling.perf;

import io.starling.gguf.GgmlType;
import io.starling.gguf.GgufFile;
import io.starling.model.Batch;
import io.starling.model.KvStore;
import io.starling.model.LlamaModel;
import io.starling.model.Logits;
import io.starling.model.SyntheticModel;
import io.starling.sampling.Sampler;
import io.starling.sampling.SamplerConfig;
import io.starling.tensor.MatMul;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The whole decode step around the kernels, for what {@code -prof gc} says it allocates: one forward of
 * {@code sequences} sequences decoding a token each (norms, rotary embedding, attention, SiLU, the output head), and
 * the greedy sample with its log-probability that follows every token. A vector boxed on its way through a call that
 * C2 did not inline shows here as kilobytes per operation (SiLU and the log-sum-exp once allocated megabytes per
 * step: perf/RESULTS.md, "Vectors crossing calls"); what is left is the batch record and its sequences.
 *
 * <pre>perf/jmh ForwardStepBenchmark -prof gc</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class ForwardStepBenchmark {

    /** Positions each sequence decodes before its cache starts over (from after a first prompt-sized stretch). */
    private static final int CONTEXT = 256;
    private static final int RESTART = 32;

    @Param({"Q4_0", "Q8_0"})
    public String type;

    @Param({"1", "8"})
    public int sequences;

    @Param({"2"})
    public int threads;

    private Path dir;
    private GgufFile file;
    private MatMul matMul;
    private LlamaModel model;
    private final List<KvStore> stores = new ArrayList<>();
    private final List<Batch.Sequence> step = new ArrayList<>();
    private int position;
    private Logits logits;
    private Sampler sampler;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dir = Files.createTempDirectory("starling-forward-bench");
        // a small LLaMA with a real vocabulary's width, so the head and the sampler weigh what they do
        Path path = SyntheticModel.builder().dims(512, 4, 8, 2, 1408).vocab(32000).context(CONTEXT)
                .type(GgmlType.valueOf(type)).write(dir.resolve("model.gguf"));
        file = GgufFile.open(path);
        matMul = new MatMul(threads);
        model = LlamaModel.load(file, matMul);
        for (int s = 0; s < sequences; s++) {
            stores.add(model.newKvStore(CONTEXT));
        }
        position = 0;
        logits = decode();
        sampler = new Sampler(SamplerConfig.greedy(), model.shape().vocabSize());
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        matMul.close();
        file.close();
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    public Logits decodeStep() {
        return decode();
    }

    @Benchmark
    public float greedySampleWithLogprob() {
        return sampler.sample(logits.array(), logits.offset(0)).logprob();
    }

    private Logits decode() {
        if (position == CONTEXT) {
            position = RESTART;
        }
        step.clear();
        int[] token = {(position * 7919 + 1) % model.shape().vocabSize()};
        for (KvStore kv : stores) {
            step.add(new Batch.Sequence(kv, position, token, Batch.Outputs.LAST));
        }
        position++;
        return model.forward(new Batch(step));
    }
}
