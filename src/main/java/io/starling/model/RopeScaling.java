package io.starling.model;

import io.starling.gguf.GgufFormatException;
import io.starling.gguf.GgufMetadata;
import java.util.Locale;

/**
 * Context-extension scaling of RoPE frequencies as llama.cpp reads it from {@code <arch>.rope.scaling.*}.
 * Llama-3 style scaling is not a type here: its converter bakes it into the per-dimension {@code rope_freqs.weight}
 * tensor, which {@link RotaryEmbedding} applies whatever the type.
 *
 * @param type                  how positions are stretched
 * @param freqScale             1 / {@code rope.scaling.factor} (1 when absent or for type none), multiplies every
 *                              angle
 * @param originalContextLength the training context YaRN's correction range is computed from
 */
public record RopeScaling(Type type, float freqScale, int originalContextLength) {

    public enum Type { NONE, LINEAR, YARN }

    static RopeScaling of(GgufMetadata md, String arch, int contextLength) {
        String name = md.findString(arch + ".rope.scaling.type").orElse("linear").toLowerCase(Locale.ROOT);
        Type type = switch (name) {
            case "none" -> Type.NONE;
            case "linear" -> Type.LINEAR;
            case "yarn" -> Type.YARN;
            default -> throw new GgufFormatException(arch + ".rope.scaling.type '" + name
                    + "' is not supported (none, linear, yarn)");
        };
        // llama.cpp falls back to the pre-GGUFv3 key name, and treats a factor of 0 as "no scaling"
        float factor = md.getFloat(arch + ".rope.scaling.factor", md.getFloat(arch + ".rope.scale_linear", 0f));
        if (factor < 0 || Float.isNaN(factor) || Float.isInfinite(factor)) {
            throw new GgufFormatException(arch + ".rope.scaling.factor " + factor + " must be positive");
        }
        int original = md.getInt(arch + ".rope.scaling.original_context_length", contextLength);
        // as in llama.cpp's context setup, type "none" ignores any factor
        float freqScale = type == Type.NONE || factor == 0f ? 1f : 1f / factor;
        return new RopeScaling(type, freqScale, original);
    }
}
