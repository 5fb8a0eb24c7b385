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

    /**
     * How activations must be rounded before {@link #multiplyRows} to reproduce llama.cpp's CPU results (its
     * "vec_dot_type" for this weight type); {@link MatMul} does it once per call.
     */
    default ActivationRounding activationRounding() {
        return ActivationRounding.NONE;
    }

    /**
     * The batched matrix kernel: for rows r in [rowStart, rowEnd) of a matrix whose row r is {@code cols}
     * elements of this format from byte {@code r * rowBytes} of {@code w}, and tokens b in [0, batch):
     * {@code out[outOffset + b * outStride + r] = W[r] · x[xOffset + b * cols ..]}. Each weight block is decoded
     * once per call (or per tile of tokens) and used for every token. {@code scratch} holds at least
     * {@code cols} floats and belongs to the calling thread. Formats with a Vector API kernel override this;
     * the default is the documented generic path: dequantize the row into {@code scratch}, then vector dot
     * products against every token.
     */
    default void multiplyRows(MemorySegment w, long rowBytes, int cols, float[] x, int xOffset, int batch,
                              float[] out, int outOffset, int outStride, int rowStart, int rowEnd, float[] scratch) {
        Kernels.decodedRows(this, w, rowBytes, cols, x, xOffset, batch, out, outOffset, outStride, rowStart, rowEnd, scratch);
    }

    /** True when this format has its own fused Vector API kernel rather than the generic decode-then-dot path. */
    default boolean hasFusedKernel() {
        return false;
    }

    /** Decodes {@code count} elements stored from byte {@code srcByteOffset} of {@code src} into a new array. */
    default float[] dequantize(MemorySegment src, long srcByteOffset, int count) {
        float[] values = new float[count];
        dequantize(src, srcByteOffset, values, 0, count);
        return values;
    }
}
