package io.starling.model;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * One step of work for {@link LlamaModel#forward}: any mix of sequences, each a run of consecutive tokens
 * continuing its own KV cache (a whole prompt, a prefill chunk or a single decode token). All tokens of all
 * sequences go through every weight matrix together.
 *
 * <p>Output rows (hidden states or logits) come in sequence order, and within a sequence in token order, for
 * exactly the tokens the sequence's {@link Outputs} asks for.
 */
public final class Batch {

    /** Which tokens of a sequence produce an output row. */
    public enum Outputs {
        /** None: a prefill chunk that is not the last one. */
        NONE,
        /** The last token only: what decoding needs. */
        LAST,
        /** Every token: perplexity, echo with logprobs, embeddings. */
        ALL
    }

    /**
     * A run of tokens of one sequence.
     *
     * @param kv            the sequence's cache; positions {@code [0, firstPosition)} must already be in it
     * @param firstPosition the position of {@code tokens[0]}
     * @param tokens        the token ids, at positions {@code firstPosition, firstPosition + 1, ...}
     * @param outputs       which of them produce output rows
     */
    public record Sequence(KvStore kv, int firstPosition, int[] tokens, Outputs outputs) {
        public Sequence {
            if (kv == null || outputs == null) {
                throw new IllegalArgumentException("a sequence needs a KV store and an outputs choice");
            }
            if (tokens.length == 0) {
                throw new IllegalArgumentException("a sequence in a batch needs at least one token");
            }
            if (firstPosition < 0) {
                throw new IllegalArgumentException("negative position " + firstPosition);
            }
        }

        /** Output rows this sequence contributes. */
        public int outputCount() {
            return switch (outputs) {
                case NONE -> 0;
                case LAST -> 1;
                case ALL -> tokens.length;
            };
        }

        /** Whether token {@code index} of this sequence produces an output row. */
        boolean outputs(int index) {
            return outputs == Outputs.ALL || (outputs == Outputs.LAST && index == tokens.length - 1);
        }

        /** One past the last position this run writes. */
        public int endPosition() {
            return firstPosition + tokens.length;
        }
    }

    private final List<Sequence> sequences;
    private final int[] firstOutputRow;
    private final int tokenCount;
    private final int outputCount;

    public Batch(List<Sequence> sequences) {
        if (sequences.isEmpty()) {
            throw new IllegalArgumentException("an empty batch");
        }
        Map<KvStore, Boolean> seen = new IdentityHashMap<>();
        this.sequences = List.copyOf(sequences);
        this.firstOutputRow = new int[sequences.size()];
        int tokens = 0;
        int outputs = 0;
        for (int s = 0; s < sequences.size(); s++) {
            Sequence sequence = sequences.get(s);
            if (seen.put(sequence.kv(), Boolean.TRUE) != null) {
                throw new IllegalArgumentException("sequence " + s + " shares its KV store with an earlier sequence of"
                        + " the batch: give each sequence one run of consecutive tokens");
            }
            firstOutputRow[s] = outputs;
            tokens = Math.addExact(tokens, sequence.tokens().length);
            outputs += sequence.outputCount();
        }
        this.tokenCount = tokens;
        this.outputCount = outputs;
    }

    public static Batch of(Sequence... sequences) {
        return new Batch(List.of(sequences));
    }

    /** A batch of one sequence. */
    public static Batch single(KvStore kv, int firstPosition, int[] tokens, Outputs outputs) {
        return of(new Sequence(kv, firstPosition, tokens, outputs));
    }

    public List<Sequence> sequences() {
        return sequences;
    }

    /** Tokens of all sequences together: the batch size every matrix multiplication sees. */
    public int tokenCount() {
        return tokenCount;
    }

    /** Output rows of all sequences together. */
    public int outputCount() {
        return outputCount;
    }

    /** The first output row of sequence {@code index} (its rows follow consecutively). */
    public int firstOutputRow(int index) {
        return firstOutputRow[index];
    }
}
