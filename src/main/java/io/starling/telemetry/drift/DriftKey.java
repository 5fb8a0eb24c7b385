package io.starling.telemetry.drift;

/** One drift series: a model's predictions in one pipeline ({@code none} for plain generation), on one signal. */
public record DriftKey(String model, String pipeline, DriftSignal signal) {
}
