package io.starling.tensor;

import io.starling.gguf.GgmlType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** Random blocks: every format must agree exactly with the element-at-a-time reference. */
class ReferenceDequantizerTest {
    private static final int BLOCKS = 64;

    @ParameterizedTest
    @EnumSource(names = {"F32", "F16", "BF16", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0",
            "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "Q8_K"})
    void agreesWithTheReferenceOnRandomBlocks(GgmlType type) {
        Random random = new Random(type.id());
        byte[] data = new byte[BLOCKS * type.bytesPerBlock()];
        random.nextBytes(data);
        finiteScales(type, data, random);
        int count = BLOCKS * type.blockSize();

        float[] actual = new float[count + 3];
        BlockFormats.of(type).dequantize(MemorySegment.ofArray(data), 0, actual, 3, count);

        float[] expected = ReferenceDequantizer.dequantize(type, data, count);
        assertArrayEquals(expected, Arrays.copyOfRange(actual, 3, count + 3), type.toString());
    }

    /**
     * Random bytes in a block's scale fields would often be huge or NaN and hide the quant bits; give those
     * fields random moderate scales. Plain F32/F16/BF16 keep their random bits, NaNs and infinities included.
     */
    private static void finiteScales(GgmlType type, byte[] data, Random random) {
        int[] halfScales = switch (type) {
            case Q4_0, Q5_0, Q8_0 -> new int[] {0};
            case Q4_1, Q5_1, Q4_K, Q5_K -> new int[] {0, 2};
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
            if (type == GgmlType.Q8_K) {
                buffer.putFloat(base, (float) random.nextGaussian() * 0.01f);
            }
        }
    }
}
