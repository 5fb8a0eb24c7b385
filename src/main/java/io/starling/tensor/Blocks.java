package io.starling.tensor;

import io.starling.gguf.GgmlType;

/** Argument checks shared by the formats. */
final class Blocks {
    private Blocks() {
    }

    /** Returns {@code elements} after checking that it is a whole, non-negative number of blocks of {@code type}. */
    static int checkedCount(GgmlType type, int elements) {
        if (elements < 0 || elements % type.blockSize() != 0) {
            throw new IllegalArgumentException(
                    elements + " elements is not a whole number of " + type + " blocks of " + type.blockSize());
        }
        return elements;
    }

    /** The number of blocks that hold {@code elements} values of {@code type}. */
    static int count(GgmlType type, int elements) {
        return checkedCount(type, elements) / type.blockSize();
    }
}
