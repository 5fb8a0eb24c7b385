package io.starling.tensor;

import io.starling.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/** Plain little-endian IEEE single precision: a "block" is one 4-byte value. */
public final class F32Format implements Quantizer {
    public static final F32Format INSTANCE = new F32Format();

    private F32Format() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.F32;
    }

    @Override
    public void dequantize(MemorySegment src, long srcByteOffset, float[] dst, int dstOffset, int count) {
        MemorySegment.copy(src, LittleEndian.FLOAT, srcByteOffset, dst, dstOffset, Blocks.checkedCount(type(), count));
    }

    @Override
    public void quantize(float[] src, int srcOffset, int count, MemorySegment dst, long dstByteOffset) {
        MemorySegment.copy(src, srcOffset, dst, LittleEndian.FLOAT, dstByteOffset, Blocks.checkedCount(type(), count));
    }

    /** Vector API kernel: {@link Kernels#f32Rows}. */
    @Override
    public void multiplyRows(MemorySegment w, long rowBytes, int cols, float[] x, int xOffset, int batch,
                             float[] out, int outOffset, int outStride, int rowStart, int rowEnd, float[] scratch) {
        Kernels.f32Rows(w, rowBytes, cols, x, xOffset, batch, out, outOffset, outStride, rowStart, rowEnd, scratch);
    }

    @Override
    public boolean hasFusedKernel() {
        return true;
    }
}
