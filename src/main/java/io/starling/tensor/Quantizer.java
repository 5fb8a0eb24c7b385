package io.starling.tensor;

import java.lang.foreign.MemorySegment;

/**
 * A block format that can also encode floats, bit for bit as ggml's reference quantizer for the type
 * ({@code quantize_row_*_ref}, the one {@code llama-quantize} uses without an importance matrix) does.
 */
public sealed interface Quantizer extends BlockFormat
        permits F32Format, F16Format, BF16Format, Q4_0Format, Q4_1Format, Q5_0Format, Q5_1Format, Q8_0Format, Q8_KFormat {

    /**
     * Encodes {@code src[srcOffset .. srcOffset + count)} as {@code count / blockSize()} blocks written from byte
     * {@code dstByteOffset} of {@code dst}.
     *
     * @throws IllegalArgumentException if {@code count} is negative or not a multiple of {@link #blockSize()}
     * @throws IndexOutOfBoundsException if the values lie outside {@code src} or the blocks outside {@code dst}
     */
    void quantize(float[] src, int srcOffset, int count, MemorySegment dst, long dstByteOffset);

    /**
     * Encodes a whole row or tensor into a new byte array, laid out as in a GGUF file
     * ({@link MemorySegment#ofArray(byte[])} views it as a segment).
     *
     * @throws IllegalArgumentException if the length is not a multiple of {@link #blockSize()}
     */
    default byte[] quantize(float[] values) {
        byte[] bytes = new byte[Math.toIntExact(type().byteSize(Blocks.checkedCount(type(), values.length)))];
        quantize(values, 0, values.length, MemorySegment.ofArray(bytes), 0);
        return bytes;
    }
}
