package io.starling.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;

import static io.starling.tensor.Vectors.F;
import static io.starling.tensor.Vectors.L;

/**
 * Float dot products shared by the kernels: a decoded weight row against a batch of activation vectors,
 * tiled four tokens at a time so that one load of a weight vector feeds four FMAs, with two accumulators per
 * chain for the single-token case (FMA latency, not throughput, bounds one accumulator). Scalar tails.
 */
final class Kernels {
    private Kernels() {
    }

    /**
     * The generic path of every format: decode one row into {@code scratch} with the format's dequantizer, then
     * dot it with every token. Each row is decoded once per call whatever the batch.
     */
    static void decodedRows(BlockFormat format, MemorySegment w, long rowBytes, int cols, float[] x, int xOffset,
                            int batch, float[] out, int outOffset, int outStride, int rowStart, int rowEnd, float[] scratch) {
        for (int r = rowStart; r < rowEnd; r++) {
            format.dequantize(w, r * rowBytes, scratch, 0, cols);
            rowTimesBatch(scratch, 0, cols, x, xOffset, batch, out, outOffset + r, outStride);
        }
    }

    /**
     * F16 rows: widen each row to floats with vector bit arithmetic (the Vector API has no half-float
     * conversion), then dot it with every token. Exact for every half value: normals and subnormals by
     * scaling the shifted magnitude by 2^112, infinities and NaNs (exponent 31) by forcing the float exponent.
     */
    static void f16Rows(MemorySegment w, long rowBytes, int cols, float[] x, int xOffset, int batch,
                        float[] out, int outOffset, int outStride, int rowStart, int rowEnd, float[] scratch) {
        int bound = F.loopBound(cols);
        float[] lanes = LANES.get();
        for (int r = rowStart; r < rowEnd; r++) {
            long row = r * rowBytes;
            int k = 0;
            for (; k < bound; k += L) {
                IntVector h = (IntVector) ShortVector.fromMemorySegment(Vectors.S_HALF, w, row + 2L * k, java.nio.ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.S2I, Vectors.I, 0);
                IntVector magnitude = h.and(0x7FFF).lanewise(VectorOperators.LSHL, 13);
                FloatVector value = magnitude.reinterpretAsFloats().mul(0x1p112f);
                VectorMask<Integer> special = h.and(0x7C00).compare(VectorOperators.EQ, 0x7C00);
                IntVector bits = value.reinterpretAsInts().blend(magnitude.or(0x7F80_0000), special)
                        .or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16));
                bits.reinterpretAsFloats().intoArray(scratch, k);
            }
            for (; k < cols; k++) {
                scratch[k] = LittleEndian.half(w, row + 2L * k);
            }
            ggmlRowTimesBatch(scratch, cols, x, xOffset, batch, out, outOffset + r, outStride, true, lanes);
        }
    }

    /** F32 rows: read straight from the segment, no decode. */
    static void f32Rows(MemorySegment w, long rowBytes, int cols, float[] x, int xOffset, int batch,
                        float[] out, int outOffset, int outStride, int rowStart, int rowEnd, float[] scratch) {
        float[] lanes = LANES.get();
        for (int r = rowStart; r < rowEnd; r++) {
            MemorySegment.copy(w, LittleEndian.FLOAT, r * rowBytes, scratch, 0, cols);
            ggmlRowTimesBatch(scratch, cols, x, xOffset, batch, out, outOffset + r, outStride, false, lanes);
        }
    }

    /**
     * F32 and F16 rows dotted in llama.cpp's summation order ({@link GgmlDot}): tinyBLAS's for a batch it would
     * send to llamafile_sgemm, ggml_vec_dot's otherwise. One token at a time: these formats serve tiny models
     * and exactness here, the quantized kernels serve speed.
     */
    private static void ggmlRowTimesBatch(float[] row, int cols, float[] x, int xOffset, int batch, float[] out,
                                          int outIndex, int outStride, boolean f16, float[] lanes) {
        boolean tiny = GgmlDot.usesTinyBlas(batch, cols);
        for (int b = 0; b < batch; b++) {
            int xb = xOffset + b * cols;
            out[outIndex + b * outStride] = tiny ? GgmlDot.tinyBlas(row, 0, x, xb, cols, lanes)
                    : f16 ? GgmlDot.vecDotF16(row, 0, x, xb, cols, lanes)
                    : GgmlDot.vecDotF32(row, 0, x, xb, cols, lanes);
        }
    }

    /** Each kernel thread's lane buffer for {@link GgmlDot}, allocated once per thread. */
    private static final ThreadLocal<float[]> LANES = ThreadLocal.withInitial(GgmlDot::newLanes);

    /** {@code out[outIndex + b * outStride] = row · x[xOffset + b * cols ..]} for b in [0, batch). */
    static void rowTimesBatch(float[] row, int rowOffset, int cols, float[] x, int xOffset, int batch,
                              float[] out, int outIndex, int outStride) {
        int b = 0;
        int bound = F.loopBound(cols);
        for (; b + 4 <= batch; b += 4) {
            int x0 = xOffset + b * cols;
            int x1 = x0 + cols;
            int x2 = x1 + cols;
            int x3 = x2 + cols;
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            int k = 0;
            for (; k < bound; k += L) {
                FloatVector wv = FloatVector.fromArray(F, row, rowOffset + k);
                a0 = wv.fma(FloatVector.fromArray(F, x, x0 + k), a0);
                a1 = wv.fma(FloatVector.fromArray(F, x, x1 + k), a1);
                a2 = wv.fma(FloatVector.fromArray(F, x, x2 + k), a2);
                a3 = wv.fma(FloatVector.fromArray(F, x, x3 + k), a3);
            }
            float s0 = Vectors.sum(a0);
            float s1 = Vectors.sum(a1);
            float s2 = Vectors.sum(a2);
            float s3 = Vectors.sum(a3);
            for (; k < cols; k++) {
                float wk = row[rowOffset + k];
                s0 += wk * x[x0 + k];
                s1 += wk * x[x1 + k];
                s2 += wk * x[x2 + k];
                s3 += wk * x[x3 + k];
            }
            int o = outIndex + b * outStride;
            out[o] = s0;
            out[o + outStride] = s1;
            out[o + 2 * outStride] = s2;
            out[o + 3 * outStride] = s3;
        }
        for (; b < batch; b++) {
            out[outIndex + b * outStride] = dot(row, rowOffset, x, xOffset + b * cols, cols);
        }
    }

    /** {@code a[aOffset ..] · b[bOffset ..]} over {@code n} elements, four accumulators. */
    static float dot(float[] a, int aOffset, float[] b, int bOffset, int n) {
        FloatVector s0 = FloatVector.zero(F);
        FloatVector s1 = s0;
        FloatVector s2 = s0;
        FloatVector s3 = s0;
        int k = 0;
        int bound4 = n - 4 * L + 1;
        for (; k < bound4; k += 4 * L) {
            s0 = FloatVector.fromArray(F, a, aOffset + k).fma(FloatVector.fromArray(F, b, bOffset + k), s0);
            s1 = FloatVector.fromArray(F, a, aOffset + k + L).fma(FloatVector.fromArray(F, b, bOffset + k + L), s1);
            s2 = FloatVector.fromArray(F, a, aOffset + k + 2 * L).fma(FloatVector.fromArray(F, b, bOffset + k + 2 * L), s2);
            s3 = FloatVector.fromArray(F, a, aOffset + k + 3 * L).fma(FloatVector.fromArray(F, b, bOffset + k + 3 * L), s3);
        }
        int bound = F.loopBound(n);
        for (; k < bound; k += L) {
            s0 = FloatVector.fromArray(F, a, aOffset + k).fma(FloatVector.fromArray(F, b, bOffset + k), s0);
        }
        float sum = Vectors.sum(s0.add(s1).add(s2.add(s3)));
        for (; k < n; k++) {
            sum += a[aOffset + k] * b[bOffset + k];
        }
        return sum;
    }
}
