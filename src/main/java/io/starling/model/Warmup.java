package io.starling.model;

import io.starling.tensor.Vectors;
import io.starling.tensor.WeightMatrix;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Brings a model's code to compiled speed while its engine has nothing else to do. Until C2 has compiled them, the
 * Vector API kernels run as Java fallbacks that allocate an object per vector operation, tens of times slower: a
 * cold server's first 32-token completion on a 1B model took 8 s against 1.7 s warm, and the next ones ran at half
 * speed (perf/RESULTS.md, "Warm-up"). llama-server likewise runs an empty decode before it serves; here the
 * warm-up does not hold readiness back, it runs in small {@link #step steps} between which the engine serves
 * whatever has arrived.
 *
 * <p>Two phases, both on the model's own kernel pool and thread:
 * <ol>
 * <li><b>Kernels</b>, on the first {@value #ROWS} rows of each kind of weight matrix the model has (each format and
 *     row length in any layer, so the compiled loops see the trip counts they will run), at every batch size that picks a
 *     different kernel: one token, tiles filled in full and in part, token-lane groups with and without leftovers.
 *     A few rows keep a step short however large the model.</li>
 * <li><b>The forward pass</b> around the kernels (norms, rotary embedding, attention, the output head), with the
 *     step shapes the scheduler forms: prompts, then several sequences decoding together and one alone.</li>
 * </ol>
 * Each phase repeats in rounds until {@value #STEADY_ROUNDS} rounds in a row take within a factor
 * {@value #STEADY_FACTOR} of the fastest before them, neither slower nor faster: C2 has compiled what they run. A
 * phase that never settles (a machine too busy to time) stops after {@value #MAX_ROUNDS} rounds. Nothing computed
 * is kept: the KV stores are the warm-up's own and the outputs are dropped.
 */
public final class Warmup {

    /** Rows of each weight kind the kernels are warmed on: a few whole tiles for each kernel thread. */
    static final int ROWS = 64;
    static final int STEADY_ROUNDS = 3;
    static final double STEADY_FACTOR = 1.15;
    static final int MAX_ROUNDS = 40;
    /** Sequences decoding together in the forward phase, and the decode steps of a round. */
    private static final int DECODERS = 4;
    private static final int DECODE_STEPS = 6;

    private final LlamaModel model;
    private final List<WeightMatrix> kinds;
    private final int[] batches;
    private final float[] activations;
    private final float[] out;
    private final Phase kernels;
    private final Phase forward;
    /** The forward phase: its prompt tokens and stores (overwritten every round) and positions (reset every round). */
    private final int[] prompt;
    private final List<KvStore> stores = new ArrayList<>(DECODERS);
    private final int[] positions = new int[DECODERS];
    private long busyNanos;

    public Warmup(LlamaModel model) {
        this.model = model;
        this.kinds = kernelKinds(model.weights());
        this.batches = kernelBatches();
        int maxCols = kinds.stream().mapToInt(WeightMatrix::cols).max().orElseThrow();
        int maxBatch = batches[batches.length - 1];
        this.activations = randomActivations(maxBatch * maxCols);
        this.out = new float[maxBatch * ROWS];
        this.kernels = new Phase(kinds.size() * batches.length);
        ModelShape shape = model.shape();
        int promptLength = Vectors.floatLanes() + 3;
        this.prompt = new int[promptLength];
        for (int i = 0; i < promptLength; i++) {
            prompt[i] = (i * 7 + 1) % shape.vocabSize();
        }
        // a model whose context cannot hold a round's tokens warms its kernels only
        boolean fits = promptLength + DECODE_STEPS <= shape.contextLength();
        this.forward = fits ? new Phase(2 + DECODE_STEPS) : null;
        for (int s = 0; s < DECODERS && fits; s++) {
            stores.add(model.newKvStore(promptLength + DECODE_STEPS));
        }
    }

    /** Runs the next small piece of the warm-up; false once there is nothing left (and nothing was run). */
    public boolean step() {
        Phase phase = !kernels.done() ? kernels : forward != null && !forward.done() ? forward : null;
        if (phase == null) {
            return false;
        }
        long start = System.nanoTime();
        int item = phase.item();
        if (phase == kernels) {
            WeightMatrix w = kinds.get(item / batches.length);
            model.matMul().multiply(w, activations, batches[item % batches.length], out);
        } else {
            forwardItem(item);
        }
        long took = System.nanoTime() - start;
        busyNanos += took;
        phase.ran(took);
        return true;
    }

    /** Whether every phase has finished. */
    public boolean done() {
        return kernels.done() && (forward == null || forward.done());
    }

    /** Rounds run by the kernel phase and the forward phase. */
    public int kernelRounds() {
        return kernels.rounds;
    }

    public int forwardRounds() {
        return forward == null ? 0 : forward.rounds;
    }

    /** Whether both phases stopped because their times settled, not at the round limit. */
    public boolean steady() {
        return kernels.steady() && (forward == null || forward.steady());
    }

    /** Time spent in steps so far. */
    public long busyNanos() {
        return busyNanos;
    }

    /**
     * The first rows of one matrix of each (format, row length) the model multiplies by, in any layer (mixed files
     * quantize some layers' matrices differently), the output head's too.
     */
    static List<WeightMatrix> kernelKinds(LlamaWeights weights) {
        Map<String, WeightMatrix> kinds = new LinkedHashMap<>();
        for (LlamaWeights.Layer layer : weights.layers()) {
            for (WeightMatrix w : List.of(layer.query(), layer.key(), layer.value(), layer.attentionOutput(),
                    layer.gate(), layer.up(), layer.down())) {
                kinds.putIfAbsent(w.format().type() + "x" + w.cols(), firstRows(w));
            }
        }
        WeightMatrix output = weights.output();
        kinds.putIfAbsent(output.format().type() + "x" + output.cols(), firstRows(output));
        return new ArrayList<>(kinds.values());
    }

    private static WeightMatrix firstRows(WeightMatrix w) {
        int rows = Math.min(ROWS, w.rows());
        return new WeightMatrix(w.name(), w.format(), w.data().asSlice(0, rows * w.rowBytes()), rows, w.cols());
    }

    /**
     * Batch sizes that between them run every kernel: one token; 2, 3 and 5 (4x4 tiles in part, 8x1 leftovers);
     * 8, 9 and 14 (2x8 tiles, full and in part); a token-lane group; two groups and a leftover; three groups and
     * eight leftovers. Ascending, so the last is the largest.
     */
    static int[] kernelBatches() {
        int lanes = Vectors.floatLanes();
        return new int[] {1, 2, 3, 5, 8, 9, 14, Math.max(15, lanes), Math.max(16, 2 * lanes + 1),
                Math.max(17, 3 * lanes + 8)};
    }

    private static float[] randomActivations(int n) {
        // any values do: the warm-up times code paths, not results; a fixed generator keeps runs alike
        float[] x = new float[n];
        long state = 0x9E3779B97F4A7C15L;
        for (int i = 0; i < n; i++) {
            state = state * 6364136223846793005L + 1442695040888963407L;
            x[i] = (int) (state >>> 40) / (float) (1 << 24) - 0.5f;
        }
        return x;
    }

    /**
     * Item 0: one prompt of a token-lane group and three more tokens; item 1: the other sequences' prompts
     * together; then decode steps alternating {@value #DECODERS} sequences together and the first alone.
     */
    private void forwardItem(int item) {
        int vocab = model.shape().vocabSize();
        if (item == 0) {
            Arrays.fill(positions, prompt.length);
            model.forward(Batch.single(stores.getFirst(), 0, prompt, Batch.Outputs.LAST));
        } else if (item == 1) {
            List<Batch.Sequence> prompts = new ArrayList<>(DECODERS - 1);
            for (KvStore kv : stores.subList(1, DECODERS)) {
                prompts.add(new Batch.Sequence(kv, 0, Arrays.copyOf(prompt, 2), Batch.Outputs.LAST));
            }
            Arrays.fill(positions, 1, DECODERS, 2);
            model.forward(new Batch(prompts));
        } else {
            int step = item - 2;
            int[] next = {(step * 13 + 5) % vocab};
            int together = step % 2 == 0 ? DECODERS : 1;
            List<Batch.Sequence> decodes = new ArrayList<>(together);
            for (int s = 0; s < together; s++) {
                decodes.add(new Batch.Sequence(stores.get(s), positions[s]++, next, Batch.Outputs.LAST));
            }
            model.forward(new Batch(decodes));
        }
    }

    /** A phase's rounds of {@code items} items and the steadiness of their times. */
    private static final class Phase {
        private final int items;
        private int next;
        private long roundNanos;
        private long best = Long.MAX_VALUE;
        private int steadyRounds;
        int rounds;

        Phase(int items) {
            this.items = items;
        }

        int item() {
            return next;
        }

        void ran(long nanos) {
            roundNanos += nanos;
            if (++next < items) {
                return;
            }
            next = 0;
            rounds++;
            steadyRounds = roundNanos <= best * STEADY_FACTOR && roundNanos * STEADY_FACTOR >= best ? steadyRounds + 1 : 0;
            best = Math.min(best, roundNanos);
            roundNanos = 0;
        }

        boolean steady() {
            return steadyRounds >= STEADY_ROUNDS;
        }

        boolean done() {
            return steady() || rounds >= MAX_ROUNDS;
        }
    }
}
