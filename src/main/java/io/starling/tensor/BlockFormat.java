package io.starling.tensor;

import io.starling.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * How the elements of one ggml tensor type are laid out in blocks, and how to turn them back into floats.
 * Each implementation owns one type; it is the home of that type's compute kernels as well.
 * Implementations are stateless singletons, safe to share between threads.
 */
public sealed interface BlockFormat
        permits Quantizer, Q2_KFormat, Q3_KFormat, Q4_KFormat, Q5_KFormat, Q6_KFormat {

    /** The ggml type whose blocks this format reads. */
    GgmlType type();

    /** Elements per block. */
    default int blockSize() {
        return type().blockSize();
    }

    /** Bytes per block. */
    default int bytesPerBlock() {
        return type().bytesPerBlock();
    }

    /**
     * Decodes {@code count} elements stored from byte {@code srcByteOffset} of {@code src} into
     * {@code dst[dstOffset ..]}.
     *
     * @throws IllegalArgumentException if {@code count} is negative or not a multiple of {@link #blockSize()}
     * @throws IndexOutOfBoundsException if the blocks lie outside {@code src} or the values outside {@code dst}
     */
    void dequantize(MemorySegment src, long srcByteOffset, float[] dst, int dstOffset, int count);

    /** Decodes {@code count} elements stored from byte {@code srcByteOffset} of {@code src} into a new array. */
    default float[] dequantize(MemorySegment src, long srcByteOffset, int count) {
        float[] values = new float[count];
        dequantize(src, srcByteOffset, values, 0, count);
        return values;
    }
}
