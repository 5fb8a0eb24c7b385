package io.starling.model;

import io.starling.gguf.GgufFormatException;

/** Which elements of a head RoPE rotates together; llama.cpp fixes it per architecture, not per file. */
public enum RopeStyle {
    /** Adjacent pairs (2i, 2i+1): llama.cpp's LLAMA_ROPE_TYPE_NORM, used by the "llama" architecture. */
    NORMAL,
    /** Pairs split across the halves (i, i + d/2): LLAMA_ROPE_TYPE_NEOX (GPT-NeoX, Qwen, Phi, ...). */
    NEOX;

    static RopeStyle of(String architecture) {
        return switch (architecture) {
            case "llama" -> NORMAL;
            default -> throw new GgufFormatException("no RoPE style known for architecture '" + architecture + "'");
        };
    }
}
