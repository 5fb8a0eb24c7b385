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
 * {@value #STEADY_FACTOR} of the fastest before them, neither slower nor faster: C2 has compiled what they run. The
 * forward phase also runs until the code of a layer has run {@value #LAYER_CALLS} times: its times settle under C1's
 * profiled code already (the kernels dominate them), and C2 compiles a method only after ~5,000 calls, so a warm-up
 * that stopped at steady times left attention to compile during the first requests (the first of them 47% slower
 * than the fifth, perf/RESULTS.md, "Warm-up on the serving KV stores"). A phase that never settles (a machine too
 * busy to time) stops {@value #MAX_ROUNDS} rounds after its minimum. Nothing computed is kept: the KV stores are the
 * warm-up's own, freed once it ends or is {@link #close closed}, and the outputs are dropped.
 */
public final class Warmup implements AutoCloseable {

    /**
     * Where the forward phase keeps its sequences' keys and values. A server passes stores of the kind its requests
     * use, so that the forward pass is compiled for them: warmed on another kind, the first request's store class
     * invalidated the compiled attention (a class-hierarchy deoptimization) and the second request still ran 16%
     * slower than the fifth (perf/RESULTS.md, "Warm-up on the serving KV stores").
     */
    public interface Stores {
        /** A new, empty store for up to {@code capacity} positions. */
        KvStore open(int capacity);

        /** Makes room for {@code tokens} at the next positions of {@code store}, before the step that writes them. */
        void extend(KvStore store, int[] tokens);

        /** Frees {@code store}. */
        void close(KvStore store);

        /** The warm-up is over and has closed its stores: frees whatever holds them. */
        void release();

        /** The model's own contiguous stores, as {@code generate} and {@code bench} use. */
        static Stores contiguous(LlamaModel model) {
            return new Stores() {
                @Override
                public KvStore open(int capacity) {
                    return model.newKvStore(capacity);
                }

                @Override
                public void extend(KvStore store, int[] tokens) {
                }

                @Override
                public void close(KvStore store) {
                }

                @Override
                public void release() {
                }
            };
        }
    }

    /** Rows of each weight kind the kernels are warmed on: a few whole tiles for each kernel thread. */
    static final int ROWS = 64;
    static final int STEADY_ROUNDS = 3;
    static final double STEADY_FACTOR = 1.15;
    static final int MAX_ROUNDS = 40;
    /** Calls of each layer's code the forward phase makes at least: above C2's default threshold of 5,000. */
    static final int LAYER_CALLS = 6_000;
    /** Sequences decoding together in the forward phase, and the decode steps of a round. */
    public static final int SEQUENCES = 4;
    private static final int DECODE_STEPS = 6;

    private final LlamaModel model;
    private final List<WeightMatrix> kinds;
    private final int[] batches;
    private final float[] activations;
    private final float[] out;
    private final Phase kernels;
    private final Phase forward;
    /** The forward phase: its prompt tokens, and its stores and positions (new every round). */
    private final int[] prompt;
    private final Stores stores;
    private final List<KvStore> open = new ArrayList<>(SEQUENCES);
    private final int[] positions = new int[SEQUENCES];
    private boolean closed;
    private long busyNanos;

    /** A warm-up whose forward phase runs on the model's contiguous KV stores. */
    public Warmup(LlamaModel model) {
        this(model, Stores.contiguous(model));
    }

    public Warmup(LlamaModel model, Stores stores) {
        this.model = model;
        this.kinds = kernelKinds(model.weights());
        this.batches = kernelBatches();
        int maxCols = kinds.stream().mapToInt(WeightMatrix::cols).max().orElseThrow();
        int maxBatch = batches[batches.length - 1];
        this.activations = randomActivations(maxBatch * maxCols);
        this.out = new float[maxBatch * ROWS];
        this.kernels = new Phase(kinds.size() * batches.length, 0);
        ModelShape shape = model.shape();
        this.prompt = new int[promptLength()];
        for (int i = 0; i < prompt.length; i++) {
            prompt[i] = (i * 7 + 1) % shape.vocabSize();
        }
        this.stores = stores;
        // a model whose context cannot hold a round's tokens warms its kernels only
        int forwardItems = 3 + DECODE_STEPS;
        int minRounds = Math.ceilDiv(LAYER_CALLS, forwardItems * shape.layers());
        this.forward = sequencePositions() <= shape.contextLength() ? new Phase(forwardItems, minRounds) : null;
    }

    /** Positions each of the forward phase's {@value #SEQUENCES} sequences holds at most. */
    public static int sequencePositions() {
        return promptLength() + DECODE_STEPS;
    }

    /** The first sequence's prompt: a token-lane group and three more, and room for every shorter prompt. */
    private static int promptLength() {
        return Math.max(Vectors.floatLanes() + 3, SEQUENCES);
    }

    /** Runs the next small piece of the warm-up; false once there is nothing left (and nothing was run). */
    public boolean step() {
        Phase phase = closed ? null : !kernels.done() ? kernels : forward != null && !forward.done() ? forward : null;
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
        if (done()) {
            close();
        }
        return true;
    }

    /**
     * Ends the warm-up and frees its KV stores: when it is done, or early when the engine stops or gives up on it (a
     * failure part-way through a step included). Idempotent; {@link #step} runs nothing after it.
     */
    @Override
    public void close() {
        closed = true;
        try {
            closeStores();
        } finally {
            stores.release();
        }
    }

    /** Closes the current round's stores, every one even if one fails (the first failure is thrown). */
    private void closeStores() {
        List<KvStore> closing = new ArrayList<>(open);
        open.clear();
        RuntimeException failure = null;
        for (KvStore kv : closing) {
            try {
                stores.close(kv);
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Whether every phase has finished, or the warm-up was closed. */
    public boolean done() {
        return closed || kernels.done() && (forward == null || forward.done());
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
     * Item 0: one prompt of a token-lane group and three more tokens, in the round's new stores; item 1: the other
     * sequences' prompts together, of 2 to {@value #SEQUENCES} tokens (short prompts run other attention paths); then
     * decode steps alternating {@value #SEQUENCES} sequences together and the first alone; last, an embedding, which
     * runs on the model's contiguous store whatever the {@link Stores}: so it is compiled too, and the compiled
     * forward pass never assumes one store class that a server's first embedding would then invalidate.
     */
    private void forwardItem(int item) {
        int vocab = model.shape().vocabSize();
        if (item == 0) {
            closeStores();
            for (int s = 0; s < SEQUENCES; s++) {
                open.add(stores.open(sequencePositions()));
            }
            Arrays.fill(positions, prompt.length);
            model.forward(Batch.single(extended(0, prompt), 0, prompt, Batch.Outputs.LAST));
        } else if (item == 1) {
            List<Batch.Sequence> prompts = new ArrayList<>(SEQUENCES - 1);
            for (int s = 1; s < SEQUENCES; s++) {
                int[] shortPrompt = Arrays.copyOf(prompt, s + 1);
                prompts.add(new Batch.Sequence(extended(s, shortPrompt), 0, shortPrompt, Batch.Outputs.LAST));
                positions[s] = s + 1;
            }
            model.forward(new Batch(prompts));
        } else if (item == 2 + DECODE_STEPS) {
            model.embed(Arrays.copyOf(prompt, 4));
        } else {
            int step = item - 2;
            int[] next = {(step * 13 + 5) % vocab};
            int together = step % 2 == 0 ? SEQUENCES : 1;
            List<Batch.Sequence> decodes = new ArrayList<>(together);
            for (int s = 0; s < together; s++) {
                decodes.add(new Batch.Sequence(extended(s, next), positions[s]++, next, Batch.Outputs.LAST));
            }
            model.forward(new Batch(decodes));
        }
    }

    /** Sequence {@code s}'s store with room for {@code tokens} at its next positions. */
    private KvStore extended(int s, int[] tokens) {
        KvStore kv = open.get(s);
        stores.extend(kv, tokens);
        return kv;
    }

    /** A phase's rounds of {@code items} items and the steadiness of their times. */
    private static final class Phase {
        private final int items;
        private final int minRounds;
        private int next;
        private long roundNanos;
        private long best = Long.MAX_VALUE;
        private int steadyRounds;
        int rounds;

        Phase(int items, int minRounds) {
            this.items = items;
            this.minRounds = minRounds;
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
            return steadyRounds >= STEADY_ROUNDS && rounds >= minRounds;
        }

        boolean done() {
            return steady() || rounds >= minRounds + MAX_ROUNDS;
        }
    }
}
