package io.starling.engine;

/** Why a sequence ended, in the OpenAI vocabulary. */
public enum FinishReason {
    /** An end-of-generation token or a stop string. */
    STOP,
    /** max_tokens reached, or the model's context is full. */
    LENGTH;

    public String wireName() {
        return this == STOP ? "stop" : "length";
    }
}
