package io.starling.tensor;

import io.starling.gguf.GgmlType;

import java.util.EnumMap;
import java.util.Map;

/** Looks up the block format, or the quantizer, of a ggml type. */
public final class BlockFormats {
    private static final Map<GgmlType, BlockFormat> FORMATS = new EnumMap<>(GgmlType.class);

    static {
        for (BlockFormat format : new BlockFormat[] {
                F32Format.INSTANCE, F16Format.INSTANCE, BF16Format.INSTANCE,
                Q4_0Format.INSTANCE, Q4_1Format.INSTANCE, Q5_0Format.INSTANCE, Q5_1Format.INSTANCE, Q8_0Format.INSTANCE,
                Q2_KFormat.INSTANCE, Q3_KFormat.INSTANCE, Q4_KFormat.INSTANCE, Q5_KFormat.INSTANCE, Q6_KFormat.INSTANCE,
                Q8_KFormat.INSTANCE}) {
            FORMATS.put(format.type(), format);
        }
    }

    private BlockFormats() {
    }

    /**
     * The format that reads tensors of {@code type}.
     *
     * @throws IllegalArgumentException if Starling cannot read that type
     */
    public static BlockFormat of(GgmlType type) {
        BlockFormat format = FORMATS.get(type);
        if (format == null) {
            throw new IllegalArgumentException("ggml type " + type + " (id " + type.id() + ") is not supported; supported: "
                    + FORMATS.keySet());
        }
        return format;
    }

    /**
     * The quantizer that writes tensors of {@code type}.
     *
     * @throws IllegalArgumentException if Starling cannot write that type
     */
    public static Quantizer quantizer(GgmlType type) {
        if (of(type) instanceof Quantizer quantizer) {
            return quantizer;
        }
        throw new IllegalArgumentException("ggml type " + type + " can be read but not quantized; quantizable: "
                + FORMATS.values().stream().filter(f -> f instanceof Quantizer).map(BlockFormat::type).toList());
    }

    /** True when {@link #of} knows {@code type}. */
    public static boolean supports(GgmlType type) {
        return FORMATS.containsKey(type);
    }
}
