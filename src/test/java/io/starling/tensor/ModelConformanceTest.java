package io.starling.tensor;

import io.starling.TestModels;
import io.starling.gguf.GgmlType;
import io.starling.gguf.GgufFile;
import io.starling.gguf.GgufTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Conformance with llama.cpp on the real files in shared/models (skipped when that directory is absent).
 * The stories260K-pad256-* files hold one network quantized by llama-quantize into every type we read.
 */
class ModelConformanceTest {
    private static final String[] PAD256_VARIANTS =
            {"Q2_K", "Q3_K_M", "Q4_0", "Q4_1", "Q4_K_M", "Q4_K_S", "Q5_0", "Q5_1", "Q5_K_M", "Q6_K", "Q8_0", "f16"};

    /**
     * Upper bounds on RMS(dequantized - f32) / RMS(f32) per tensor, each about 1.2-1.5x the worst tensor
     * measured (in brackets). Three quarters of every padded row are exact zeros, which the types with a
     * min/offset (Q4_1, Q5_1, Q2_K) cannot represent exactly, so those err more here than on dense weights
     * (on Gaussian data Q4_1 beats Q4_0); Q3_K's worst tensor is attn_output, which the Q2_K mix stores as Q3_K.
     */
    private static final Map<GgmlType, Double> RELATIVE_RMS_BOUND = new EnumMap<>(Map.ofEntries(
            Map.entry(GgmlType.F16, 0.0005),   // [0.00021]; fp16 rounds each value by at most 2^-11 relative
            Map.entry(GgmlType.Q8_0, 0.008),   // [0.0052]
            Map.entry(GgmlType.Q6_K, 0.025),   // [0.0190]
            Map.entry(GgmlType.Q5_0, 0.055),   // [0.0413]
            Map.entry(GgmlType.Q5_K, 0.055),   // [0.0402]
            Map.entry(GgmlType.Q5_1, 0.08),    // [0.0606]
            Map.entry(GgmlType.Q4_K, 0.09),    // [0.0736]
            Map.entry(GgmlType.Q4_0, 0.10),    // [0.0827]
            Map.entry(GgmlType.Q4_1, 0.14),    // [0.1164]
            Map.entry(GgmlType.Q3_K, 0.20),    // [0.1584]
            Map.entry(GgmlType.Q2_K, 0.60)));  // [0.4935]

    @Test
    void dequantizedWeightsOfEveryTypeStayCloseToTheF32WeightsAndOrderByBitsPerWeight() throws Exception {
        Map<GgmlType, double[]> errorAndSignal = new EnumMap<>(GgmlType.class);
        List<Runnable> checks = new ArrayList<>();
        try (GgufFile reference = GgufFile.open(TestModels.file("stories260K-pad256-f32.gguf"))) {
            for (String variant : PAD256_VARIANTS) {
                String file = "stories260K-pad256-" + variant + ".gguf";
                try (GgufFile quantized = GgufFile.open(TestModels.file(file))) {
                    for (GgufTensor tensor : quantized.tensors()) {
                        if (tensor.dims() != 2) {
                            continue;
                        }
                        float[] expected = dequantize(reference.tensor(tensor.name()));
                        float[] actual = dequantize(tensor);
                        double error = 0;
                        double signal = 0;
                        for (int i = 0; i < expected.length; i++) {
                            error += (double) (actual[i] - expected[i]) * (actual[i] - expected[i]);
                            signal += (double) expected[i] * expected[i];
                        }
                        double[] sums = errorAndSignal.computeIfAbsent(tensor.type(), t -> new double[2]);
                        sums[0] += error;
                        sums[1] += signal;
                        double relative = Math.sqrt(error / signal);
                        double bound = RELATIVE_RMS_BOUND.get(tensor.type());
                        checks.add(() -> assertTrue(relative <= bound, file + " " + tensor.name() + " (" + tensor.type()
                                + "): relative RMS error " + relative + " > " + bound));
                    }
                }
            }
        }
        assertTrue(errorAndSignal.keySet().containsAll(RELATIVE_RMS_BOUND.keySet()), "types seen: " + errorAndSignal.keySet());
        assertAll(checks.stream().map(check -> check::run));

        Map<GgmlType, Double> relative = new EnumMap<>(GgmlType.class);
        errorAndSignal.forEach((type, sums) -> relative.put(type, Math.sqrt(sums[0] / sums[1])));
        assertIncreasing(relative, GgmlType.F16, GgmlType.Q8_0, GgmlType.Q6_K, GgmlType.Q5_K, GgmlType.Q4_K, GgmlType.Q3_K, GgmlType.Q2_K);
        assertIncreasing(relative, GgmlType.Q8_0, GgmlType.Q6_K, GgmlType.Q5_0, GgmlType.Q4_0);
        assertIncreasing(relative, GgmlType.Q6_K, GgmlType.Q5_1, GgmlType.Q4_1);
    }

    /**
     * Quantizing the f32 weights with our quantizers must give exactly the bytes llama.cpp wrote: llama-quantize
     * for the pad256 files and f16, gguf-py's numpy port of the same reference quantizers for the 64-wide
     * stories260K/aidreams260K Q8_0 and Q4_0 files. Tensors stored in a type we cannot quantize are skipped.
     */
    @ParameterizedTest(name = "{1}")
    @CsvSource({
        "stories260K-pad256-f32.gguf, stories260K-pad256-Q8_0.gguf, Q8_0",
        "stories260K-pad256-f32.gguf, stories260K-pad256-Q4_0.gguf, Q4_0",
        "stories260K-pad256-f32.gguf, stories260K-pad256-Q4_1.gguf, Q4_1",
        "stories260K-pad256-f32.gguf, stories260K-pad256-Q5_0.gguf, Q5_0",
        "stories260K-pad256-f32.gguf, stories260K-pad256-Q5_1.gguf, Q5_1",
        "stories260K-pad256-f32.gguf, stories260K-pad256-f16.gguf, F16",
        "stories260K-f32.gguf, stories260K-f16.gguf, F16",
        "stories260K-f32.gguf, stories260K-Q8_0.gguf, Q8_0",
        "stories260K-f32.gguf, stories260K-Q4_0.gguf, Q4_0",
        "aidreams260K-f32.gguf, aidreams260K-Q8_0.gguf, Q8_0",
    })
    void ourQuantizersReproduceTheBytesLlamaCppWrote(String f32File, String quantizedFile, GgmlType mainType) throws Exception {
        try (GgufFile reference = GgufFile.open(TestModels.file(f32File));
             GgufFile quantized = GgufFile.open(TestModels.file(quantizedFile))) {
            int ofMainType = 0;
            for (GgufTensor tensor : quantized.tensors()) {
                if (!BlockFormats.supports(tensor.type()) || !(BlockFormats.of(tensor.type()) instanceof Quantizer quantizer)) {
                    continue;
                }
                byte[] ours = quantizer.quantize(dequantize(reference.tensor(tensor.name())));
                assertArrayEquals(tensor.data().toArray(ValueLayout.JAVA_BYTE), ours,
                        quantizedFile + " " + tensor.name() + " (" + tensor.type() + ")");
                if (tensor.type() == mainType) {
                    ofMainType++;
                }
            }
            assertTrue(ofMainType > 0, quantizedFile + " has no " + mainType + " tensor to compare");
        }
    }

    private static float[] dequantize(GgufTensor tensor) {
        return BlockFormats.of(tensor.type()).dequantize(tensor.data(), 0, Math.toIntExact(tensor.elementCount()));
    }

    private static void assertIncreasing(Map<GgmlType, Double> relative, GgmlType... types) {
        for (int i = 1; i < types.length; i++) {
            assertTrue(relative.get(types[i - 1]) < relative.get(types[i]),
                    "expected " + types[i - 1] + " to err less than " + types[i] + ": " + relative);
        }
    }
}
