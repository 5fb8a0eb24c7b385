package io.starling.tensor;

import io.starling.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * IEEE half precision. The JDK's conversions round to nearest even and keep subnormals, infinities and NaN,
 * as ggml's F16C path and its portable fallback do.
 */
public final class F16Format implements Quantizer {
    public static final F16Format INSTANCE = new F16Format();

    private F16Format() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.F16;
    }

    @Override
    public void dequantize(MemorySegment src, long srcByteOffset, float[] dst, int dstOffset, int count) {
        Blocks.checkedCount(type(), count);
        for (int i = 0; i < count; i++) {
            dst[dstOffset + i] = LittleEndian.half(src, srcByteOffset + 2L * i);
        }
    }

    @Override
    public void quantize(float[] src, int srcOffset, int count, MemorySegment dst, long dstByteOffset) {
        Blocks.checkedCount(type(), count);
        for (int i = 0; i < count; i++) {
            LittleEndian.putHalf(dst, dstByteOffset + 2L * i, src[srcOffset + i]);
        }
    }

    @Override
    public ActivationRounding activationRounding() {
        return ActivationRounding.F16;
    }

    /** Vector API kernel: {@link Kernels#f16Rows}. */
    @Override
    public void multiplyRows(MemorySegment w, long rowBytes, int cols, float[] x, int xOffset, int batch,
                             float[] out, int outOffset, int outStride, int rowStart, int rowEnd, float[] scratch) {
        Kernels.f16Rows(w, rowBytes, cols, x, xOffset, batch, out, outOffset, outStride, rowStart, rowEnd, scratch);
    }

    @Override
    public boolean hasFusedKernel() {
        return true;
    }
}
