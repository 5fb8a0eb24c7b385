package io.starling.engine;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * One model step of an engine loop, as a JDK Flight Recorder event ({@code io.starling.EngineStep}): its duration
 * split into the model's forward pass and the loop's own work after it (sampling, detokenising, stop strings,
 * handing the events to the streams), so a recording of a loaded server tells how much of each step is not the
 * model. Off unless a recording enables it (the {@code profile} and {@code default} settings do, as for every event
 * without a setting of its own): then one small event per step.
 */
@Name("io.starling.EngineStep")
@Label("Engine Step")
@Category({"Starling", "Engine"})
@Description("One continuous-batching step: forward pass and the loop's work around it")
@StackTrace(false)
final class StepEvent extends Event {

    @Label("Sequences")
    @Description("Decode tokens and prompt chunks in the step")
    int sequences;

    @Label("Tokens")
    @Description("Tokens the forward pass ran over")
    int tokens;

    @Label("Prompt Tokens")
    @Description("Tokens of prompt chunks among them")
    int promptTokens;

    @Label("Forward")
    @Timespan(Timespan.NANOSECONDS)
    long forwardNanos;

    @Label("After Forward")
    @Description("Sampling, detokenising, stop strings and emitting the events of every sequence of the step")
    @Timespan(Timespan.NANOSECONDS)
    long afterNanos;
}
