package io.starling.engine;

import io.starling.model.Logits;

/** A sequence's share of one batched step: a decode token or a prompt chunk, told its output rows afterwards. */
interface StepPart {

    /** The request whose stream fails if this part does. */
    RequestRun owner();

    /** The step ran; this part's output rows (if it asked for any) start at {@code firstRow} of {@code logits}. */
    void afterStep(Logits logits, int firstRow);
}
