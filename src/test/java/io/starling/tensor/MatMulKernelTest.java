package io.starling.tensor;

import io.starling.gguf.GgmlType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every format's batched kernel against a plain scalar reference: dequantize each row with the format's
 * (separately tested) scalar dequantizer, round the activations with the same rule, sum in double. Random
 * blocks, batch sizes 1..13 (1..40 for Q4_0 and Q8_0: tiles of eight and of four tokens, partly filled ones, token-lane
 * groups), row counts that are not multiples of the row tile or of the thread count, 1..3 threads, output offsets and
 * strides. The vector width is the JVM's
 * {@code starling.vector.bits}; the pom runs this class once per width (128, 256, 512) in separate JVMs.
 */
class MatMulKernelTest {
    private static final int[] BATCHES = {1, 2, 3, 4, 5, 7, 8, 13};
    private static final int[] ROWS = {1, 3, 5, 8, 17};
    private static MatMul[] pools;

    @BeforeAll
    static void pools() {
        pools = new MatMul[] {new MatMul(1), new MatMul(2), new MatMul(3), new MatMul(2, MatMul.Activations.FLOAT)};
        System.out.println("MatMulKernelTest: " + Vectors.bits() + "-bit vectors (" + Vectors.floatLanes() + " float lanes)");
    }

    @AfterAll
    static void close() {
        for (MatMul pool : pools) {
            pool.close();
        }
    }

    @Test
    void usesTheRequestedVectorWidth() {
        String requested = System.getProperty(Vectors.BITS_PROPERTY);
        if (requested != null && !requested.isBlank()) {
            assertEquals(Integer.parseInt(requested.trim()), Vectors.bits());
        }
        assertEquals(Vectors.bits() / 32, Vectors.floatLanes());
    }

    @ParameterizedTest
    @EnumSource(names = {"F32", "F16", "BF16", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0",
            "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"})
    void kernelMatchesTheScalarReference(GgmlType type) {
        BlockFormat format = BlockFormats.of(type);
        Random random = new Random(31L * type.id() + Vectors.bits());
        int[] colChoices = type.blockSize() == 1 ? new int[] {1, 7, 37, 64, 100} : new int[] {type.blockSize(), 3 * type.blockSize()};
        for (int cols : colChoices) {
            for (int rows : ROWS) {
                WeightMatrix w = randomMatrix(type, rows, cols, random);
                for (int batch : BATCHES) {
                    float[] x = gaussians(random, batch * cols + 5);
                    for (MatMul pool : pools) {
                        check(pool, w, x, 0, batch, format);
                        check(pool, w, x, 5, batch, format);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"F32", "F16", "Q4_0", "Q4_1", "Q8_0", "Q4_K", "Q6_K"})
    void largeMatricesSplitOverThreads(GgmlType type) {
        Random random = new Random(type.id());
        int cols = Math.max(1024, type.blockSize() * 4);
        WeightMatrix w = randomMatrix(type, 67, cols, random);
        for (int batch : new int[] {1, 6}) {
            float[] x = gaussians(random, batch * cols);
            for (MatMul pool : pools) {
                for (int repeat = 0; repeat < 3; repeat++) {
                    check(pool, w, x, 0, batch, w.format());
                }
            }
        }
    }

    /**
     * One, two and three threads give the same bits for every format, single tokens and batches alike, however the
     * threads happen to share the rows out (three repeats): 300 rows (not a multiple of eight), products big enough to
     * be split, and a batch of 40 tokens of 1024 columns (1280 blocks) whose activations are rounded on all threads.
     */
    @ParameterizedTest
    @EnumSource(names = {"F32", "F16", "BF16", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0",
            "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"})
    void anyNumberOfThreadsGivesTheSameBits(GgmlType type) {
        Random random = new Random(71L * type.id() + Vectors.bits());
        int rows = 300;
        int cols = 1024;
        WeightMatrix w = randomMatrix(type, rows, cols, random);
        for (int batch : new int[] {1, 6, 19, 40}) {
            float[] x = gaussians(random, batch * cols + 7);
            float[] alone = new float[batch * rows];
            pools[0].multiply(w, x, 7, batch, alone, 0, rows);
            for (MatMul pool : new MatMul[] {pools[1], pools[2]}) {
                for (int repeat = 0; repeat < 3; repeat++) {
                    float[] out = new float[batch * rows];
                    pool.multiply(w, x, 7, batch, out, 0, rows);
                    assertArrayEquals(alone, out, type + ", batch " + batch + " on " + pool.threads() + " threads");
                }
            }
            check(pools[0], w, x, 7, batch, w.format());
        }
    }

    /**
     * Batches of whole token groups (tokens in the vector lanes, from two groups on) plus leftovers, row counts not
     * multiples of 8: up to seventeen groups, so three, two and one group tiles at every width; 544 columns run two whole column chunks of
     * the token-lane kernel and a part-filled one, 150 rows two whole panels of eight-row tiles (on one thread), a
     * part-filled one and six leftover rows.
     */
    @ParameterizedTest
    @EnumSource(names = {"Q4_0", "Q8_0"})
    void tokenGroupsAndLeftoverRowsAndTokens(GgmlType type) {
        Random random = new Random(97L * type.id() + Vectors.bits());
        for (int rows : new int[] {8, 21, 67, 150}) {
            for (int cols : new int[] {32, 96, 256, 544}) {
                WeightMatrix w = randomMatrix(type, rows, cols, random);
                for (int batch : new int[] {16, 19, 37, 53, 70}) {
                    float[] x = gaussians(random, batch * cols + 3);
                    for (MatMul pool : pools) {
                        check(pool, w, x, 0, batch, w.format());
                        check(pool, w, x, 3, batch, w.format());
                    }
                }
            }
        }
    }

    /**
     * Every batch size from 1 to 40: a lone token, partly filled 2x8 and 4x4 tiles (a remainder of one to seven
     * tokens after the tiles or the token-lane groups), against odd row counts whose last tile holds fewer rows.
     */
    @ParameterizedTest
    @EnumSource(names = {"Q4_0", "Q8_0"})
    void everyBatchSizeAndPartlyFilledTiles(GgmlType type) {
        Random random = new Random(53L * type.id() + Vectors.bits());
        for (int rows : new int[] {1, 3, 7, 13, 37}) {
            // 256 columns: from 14 tokens on, 37 rows are split over the threads
            WeightMatrix w = randomMatrix(type, rows, 256, random);
            for (int batch = 1; batch <= 40; batch++) {
                float[] x = gaussians(random, batch * 256 + 1);
                for (MatMul pool : pools) {
                    check(pool, w, x, 1, batch, w.format());
                }
            }
        }
    }

    /**
     * Below a group of token lanes, a token's outputs are the same bits whichever tile (2x8, 4x4, full or partly
     * filled) and whichever thread's row range computed them: the first n tokens of a batch of many give the
     * results the batch of n gives, for every n from 2. (One token alone runs the single-token kernel, which rounds
     * differently.)
     */
    @ParameterizedTest
    @EnumSource(names = {"Q4_0", "Q8_0"})
    void aTokensResultDoesNotDependOnItsTile(GgmlType type) {
        Random random = new Random(59L * type.id() + Vectors.bits());
        int most = Math.min(15, Vectors.floatLanes() - 1);
        int rows = 61;
        int cols = 1024; // enough multiply-adds from 3 tokens on for the pools to split the rows over their threads
        WeightMatrix w = randomMatrix(type, rows, cols, random);
        float[] x = gaussians(random, most * cols);
        float[] all = new float[most * rows];
        pools[0].multiply(w, x, most, all);
        for (MatMul pool : new MatMul[] {pools[0], pools[1], pools[2]}) {
            for (int n = 2; n <= most; n++) {
                float[] out = new float[n * rows];
                pool.multiply(w, x, n, out);
                for (int i = 0; i < out.length; i++) {
                    assertEquals(all[i], out[i], 0f, type + " batch " + n + " of " + most + " threads " + pool.threads()
                            + ": token " + i / rows + " row " + i % rows);
                }
            }
        }
    }

    @Test
    void writesIntoAnOffsetAndStrideOfTheOutput() {
        Random random = new Random(7);
        WeightMatrix w = randomMatrix(GgmlType.Q4_0, 9, 64, random);
        float[] x = gaussians(random, 3 * 64);
        float[] out = new float[4 + 3 * 20];
        java.util.Arrays.fill(out, Float.NaN);
        pools[1].multiply(w, x, 0, 3, out, 4, 20);
        float[] plain = new float[3 * 9];
        pools[0].multiply(w, x, 3, plain);
        for (int b = 0; b < 3; b++) {
            for (int r = 0; r < 20; r++) {
                float v = out[4 + b * 20 + r];
                if (r < 9) {
                    assertEquals(plain[b * 9 + r], v, 1e-5f * Math.max(1, Math.abs(v)));
                } else {
                    assertTrue(Float.isNaN(v), "wrote outside the slice at " + r);
                }
            }
        }
        assertTrue(Float.isNaN(out[0]) && Float.isNaN(out[3]));
    }

    /**
     * llama.cpp's Q4_0 path, written out: x to Q8_0 (x86: id = 127 / amax, round half even, fp16 d), integer
     * block sums, {@code sumf += sumi * (dw * dx)}. The default mode agrees to float rounding; exact float
     * activations differ by the activation quantization error (~1% here).
     */
    @Test
    void defaultModeReproducesLlamaCppIntegerDotProducts() {
        Random random = new Random(11);
        int rows = 16;
        int cols = 1024;
        WeightMatrix w = randomMatrix(GgmlType.Q4_0, rows, cols, random);
        float[] x = gaussians(random, cols);
        MemorySegment ws = w.data();
        int blocks = cols / 32;
        int[] xq = new int[cols];
        float[] xd = new float[blocks];
        for (int b = 0; b < blocks; b++) {
            float amax = maxAbs(x, b * 32);
            xd[b] = Float.float16ToFloat(Float.floatToFloat16(amax / 127f));
            for (int j = 0; j < 32; j++) {
                xq[b * 32 + j] = (int) Math.rint(x[b * 32 + j] * (127f / amax));
            }
        }
        float[] llama = new float[rows];
        for (int r = 0; r < rows; r++) {
            float sumf = 0;
            for (int b = 0; b < blocks; b++) {
                long block = w.rowOffset(r) + 18L * b;
                float dw = LittleEndian.half(ws, block);
                int sumi = 0;
                for (int j = 0; j < 32; j++) {
                    int packed = LittleEndian.ubyte(ws, block + 2 + (j % 16));
                    int qw = (j < 16 ? packed & 15 : packed >>> 4) - 8;
                    sumi += qw * xq[b * 32 + j];
                }
                sumf += sumi * (dw * xd[b]);
            }
            llama[r] = sumf;
        }
        float[] out = new float[rows];
        pools[0].multiply(w, x, 1, out);
        float[] exact = new float[rows];
        pools[3].multiply(w, x, 1, exact);
        double diff = 0;
        double floatDiff = 0;
        double norm = 0;
        for (int r = 0; r < rows; r++) {
            diff += Math.pow(out[r] - llama[r], 2);
            floatDiff += Math.pow(exact[r] - llama[r], 2);
            norm += (double) llama[r] * llama[r];
        }
        assertTrue(Math.sqrt(diff / norm) < 1e-5, "llama.cpp mode differs by " + Math.sqrt(diff / norm));
        assertTrue(Math.sqrt(floatDiff / norm) > 1e-4, "float activations should differ measurably");
    }

    /**
     * GgmlDot's vector lane sums at this JVM's vector width equal a scalar walk of llama.cpp's lanes: 64 (or 16
     * for tinyBLAS) FMA chains, lane i taking elements i, i + width, ..., then the halving tree, bit for bit.
     */
    @Test
    void ggmlDotSumsInLlamaCppLaneOrder() {
        Random random = new Random(12);
        float[] lanes = GgmlDot.newLanes();
        for (int n : new int[] {1, 8, 16, 63, 64, 65, 128, 172, 256, 300}) {
            float[] a = gaussians(random, n + 3);
            float[] b = gaussians(random, n + 3);
            float[] ah = new float[a.length];
            float[] bh = new float[b.length];
            for (int i = 0; i < a.length; i++) {
                ah[i] = Float.float16ToFloat(Float.floatToFloat16(a[i]));
                bh[i] = Float.float16ToFloat(Float.floatToFloat16(b[i]));
            }
            int np = n & -64;
            float f32 = scalarLaneSum(a, 3, b, 3, np, 64);
            for (int i = np; i < n; i++) {
                f32 = i < np + ((n - np) & ~7) ? f32 + a[3 + i] * b[3 + i] : Math.fma(a[3 + i], b[3 + i], f32);
            }
            assertEquals(f32, GgmlDot.vecDotF32(a, 3, b, 3, n, lanes), 0f, "vec_dot_f32 n=" + n);
            double f16 = scalarLaneSum(ah, 3, bh, 3, np, 64);
            for (int i = np; i < n; i++) {
                f16 += ah[3 + i] * bh[3 + i];
            }
            assertEquals((float) f16, GgmlDot.vecDotF16(ah, 3, bh, 3, n, lanes), 0f, "vec_dot_f16 n=" + n);
            if (n % 16 == 0) {
                assertEquals(scalarLaneSum(a, 3, b, 3, n, 16), GgmlDot.tinyBlas(a, 3, b, 3, n, lanes), 0f, "tinyBLAS n=" + n);
            }
        }
    }

    /** The halving tree in vectors adds exactly what a scalar walk adds, for every width, below and above a vector. */
    @Test
    void treeAddsLikeTheScalarWalk() {
        Random random = new Random(77);
        for (int width = 1; width <= GgmlDot.VEC_DOT_LANES; width *= 2) {
            for (int repeat = 0; repeat < 50; repeat++) {
                float[] lanes = new float[GgmlDot.VEC_DOT_LANES];
                for (int i = 0; i < width; i++) {
                    // magnitudes from 2^-20 to 2^20: the order of the additions shows in the rounding
                    lanes[i] = (float) (random.nextGaussian() * Math.pow(2, random.nextInt(41) - 20));
                }
                float[] scalar = lanes.clone();
                for (int half = width / 2; half >= 1; half /= 2) {
                    for (int i = 0; i < half; i++) {
                        scalar[i] += scalar[i + half];
                    }
                }
                assertEquals(scalar[0], GgmlDot.tree(lanes, width), 0f, "width " + width);
            }
        }
    }

    @Test
    void vecDotF16ColumnsGivesEachOutputTheSameBitsAsVecDotF16() {
        Random random = new Random(78);
        float[] scratch = new float[GgmlDot.columnsScratch(256)];
        double[] wide = new double[Vectors.floatLanes()];
        for (int n : new int[] {1, 8, 16, 32, 63, 64, 65, 96, 128, 160, 200}) {
            for (int count : new int[] {1, 5, 16, 17, 33, 64, 100}) {
                int stride = count + random.nextInt(3);
                float[] a = new float[n + 3];
                float[] b = new float[3 + n * stride];
                for (int i = 0; i < a.length; i++) {
                    // magnitudes from 2^-12 to 2^12: the order of the additions shows in the rounding
                    a[i] = (float) (random.nextGaussian() * Math.pow(2, random.nextInt(25) - 12));
                }
                for (int i = 0; i < b.length; i++) {
                    b[i] = (float) (random.nextGaussian() * Math.pow(2, random.nextInt(25) - 12));
                }
                float[] out = new float[count + 2];
                GgmlDot.vecDotF16Columns(a, 3, b, 3, stride, n, count, out, 2, scratch, wide);
                for (int j = 0; j < count; j++) {
                    float[] bj = new float[n];
                    for (int i = 0; i < n; i++) {
                        bj[i] = b[3 + i * stride + j];
                    }
                    float expected = GgmlDot.vecDotF16(a, 3, bj, 0, n, GgmlDot.newLanes());
                    assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(out[2 + j]),
                            "n " + n + ", count " + count + ", output " + j);
                }
            }
        }
    }

    private static float scalarLaneSum(float[] a, int ao, float[] b, int bo, int np, int width) {
        float[] acc = new float[width];
        for (int i = 0; i < np; i++) {
            acc[i % width] = Math.fma(a[ao + i], b[bo + i], acc[i % width]);
        }
        for (int half = width / 2; half >= 1; half /= 2) {
            for (int i = 0; i < half; i++) {
                acc[i] += acc[i + half];
            }
        }
        return acc[0];
    }

    @Test
    void q8KRoundingIsTheReferenceQuantizer() {
        Random random = new Random(3);
        float[] x = gaussians(random, 1024);
        x[300] = 0;
        java.util.Arrays.fill(x, 512, 768, 0f);
        float[] rounded = new float[1024];
        ActivationRounding.Q8_K.round(x, 0, rounded, 0, 1024);
        float[] expected = Q8_KFormat.INSTANCE.dequantize(MemorySegment.ofArray(Q8_KFormat.INSTANCE.quantize(x)), 0, 1024);
        for (int i = 0; i < 1024; i++) {
            assertEquals(expected[i], rounded[i], 0f, "element " + i);
        }
    }

    @Test
    void q8_0RoundingMatchesTheQuantizerExceptAtTies() {
        Random random = new Random(4);
        float[] x = gaussians(random, 32 * 64);
        float[] rounded = new float[x.length];
        ActivationRounding.Q8_0.round(x, 0, rounded, 0, x.length);
        float[] reference = Q8_0Format.INSTANCE.dequantize(MemorySegment.ofArray(Q8_0Format.INSTANCE.quantize(x)), 0, x.length);
        int differences = 0;
        for (int i = 0; i < x.length; i++) {
            float d = Float.float16ToFloat(Float.floatToFloat16(maxAbs(x, i / 32 * 32) / 127f));
            assertTrue(Math.abs(reference[i] - rounded[i]) <= d * 1.0001f, "element " + i);
            if (reference[i] != rounded[i]) {
                differences++;
            }
        }
        assertTrue(differences <= x.length / 100, differences + " differences");
    }

    private static float maxAbs(float[] x, int from) {
        float m = 0;
        for (int i = from; i < from + 32; i++) {
            m = Math.max(m, Math.abs(x[i]));
        }
        return m;
    }

    private static void check(MatMul pool, WeightMatrix w, float[] x, int xOffset, int batch, BlockFormat format) {
        int rows = w.rows();
        int cols = w.cols();
        float[] out = new float[batch * rows];
        float[] expected = new float[batch * rows];
        double[] bound = new double[batch * rows];
        float[] xs = new float[batch * cols];
        ActivationRounding rounding = pool.activations() == MatMul.Activations.FLOAT ? ActivationRounding.NONE : format.activationRounding();
        // Q4_1 and Q5_1 always dot with Q8_1 activations (llama.cpp has no other dot for them): Q8_0's values plus,
        // per block, the weights' offset m times s = fp16(d * sum(q)) in place of m times the values' sum
        boolean q8_1 = format.type() == GgmlType.Q4_1 || format.type() == GgmlType.Q5_1;
        if (q8_1) {
            rounding = ActivationRounding.Q8_0;
        }
        // Q5_0 always dots with Q8_0 activations, the K-quants with Q8_K ones
        if (format.type() == GgmlType.Q5_0) {
            rounding = ActivationRounding.Q8_0;
        }
        // (K-quants)
        if (format.type().blockSize() == 256) {
            rounding = ActivationRounding.Q8_K;
        }
        rounding.round(x, xOffset, xs, 0, batch * cols);
        float[] row = new float[cols];
        for (int r = 0; r < rows; r++) {
            w.dequantizeRow(r, row, 0);
            for (int b = 0; b < batch; b++) {
                double sum = 0;
                double abs = 0;
                for (int k = 0; k < cols; k++) {
                    sum += (double) row[k] * xs[b * cols + k];
                    abs += Math.abs((double) row[k] * xs[b * cols + k]);
                }
                if (q8_1) {
                    sum += q8_1OffsetCorrection(w, r, x, xOffset + b * cols, xs, b * cols);
                }
                expected[b * rows + r] = (float) sum;
                bound[b * rows + r] = abs;
            }
        }
        if (xOffset == 0) {
            pool.multiply(w, x, batch, out);
        } else {
            pool.multiply(w, x, xOffset, batch, out, 0, rows);
        }
        for (int i = 0; i < out.length; i++) {
            double tolerance = 2e-6 * Math.sqrt(cols) * bound[i] + 1e-30;
            if (!(Math.abs(out[i] - expected[i]) <= tolerance)) {
                fail(w.format().type() + " " + rows + "x" + cols + " batch " + batch + " threads " + pool.threads() + " "
                        + pool.activations() + " bits " + Vectors.bits() + ": out[" + i + "] = " + out[i]
                        + ", expected " + expected[i] + " ± " + tolerance);
            }
        }
    }

    /** Sum over row r's Q4_1/Q5_1 blocks of m * (s - sum of the rounded values), s = fp16(amax / 127 * sum(q)). */
    private static double q8_1OffsetCorrection(WeightMatrix w, int r, float[] x, int xOffset, float[] xs, int xsOffset) {
        double correction = 0;
        for (int block = 0; block < w.cols() / 32; block++) {
            float m = LittleEndian.half(w.data(), w.rowOffset(r) + (long) w.format().bytesPerBlock() * block + 2);
            float amax = 0;
            for (int j = 0; j < 32; j++) {
                amax = Math.max(amax, Math.abs(x[xOffset + 32 * block + j]));
            }
            int quants = 0;
            double values = 0;
            for (int j = 0; j < 32; j++) {
                quants += (int) Math.rint(x[xOffset + 32 * block + j] * (amax != 0 ? 127f / amax : 0f));
                values += xs[xsOffset + 32 * block + j];
            }
            float s = Float.float16ToFloat(Float.floatToFloat16(amax / 127f * quants));
            correction += (double) m * (s - values);
        }
        return correction;
    }

    static float[] gaussians(Random random, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) random.nextGaussian();
        }
        return x;
    }

    /** Random rows: quantized from Gaussians where a quantizer exists, random bytes with moderate scales otherwise. */
    static WeightMatrix randomMatrix(GgmlType type, int rows, int cols, Random random) {
        BlockFormat format = BlockFormats.of(type);
        byte[] data;
        if (format instanceof Quantizer quantizer) {
            float[] values = gaussians(random, rows * cols);
            data = quantizer.quantize(values);
        } else {
            data = new byte[Math.toIntExact(type.byteSize((long) rows * cols))];
            random.nextBytes(data);
            int[] halfScales = switch (type) {
                case Q4_K, Q5_K -> new int[] {0, 2};
                case Q2_K -> new int[] {80, 82};
                case Q3_K -> new int[] {108};
                case Q6_K -> new int[] {208};
                default -> new int[0];
            };
            ByteBuffer buffer = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
            for (int base = 0; base < data.length; base += type.bytesPerBlock()) {
                for (int field : halfScales) {
                    buffer.putShort(base + field, Float.floatToFloat16((float) random.nextGaussian() * 0.01f));
                }
            }
        }
        return new WeightMatrix(type + "-test", format, MemorySegment.ofArray(data), rows, cols);
    }
}
