package io.starling.tokenizer;

/**
 * One pass of a BPE pre-tokenizer: cuts the code points {@code [from, to)} of a chunk left by the
 * previous pass into pieces, appending their lengths (summing to {@code to - from}).
 */
interface SplitStage {
    void split(CodepointText text, int from, int to, IntList pieceLengths);
}
