package io.starling.tensor;

import io.starling.gguf.GgmlType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BlockFormatsTest {

    @ParameterizedTest
    @EnumSource(names = {"F32", "F16", "BF16", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0",
            "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "Q8_K"})
    void everyCoveredTypeHasAFormatWithItsBlockGeometry(GgmlType type) {
        BlockFormat format = BlockFormats.of(type);
        assertSame(type, format.type());
        assertEquals(type.blockSize(), format.blockSize());
        assertEquals(type.bytesPerBlock(), format.bytesPerBlock());
        assertTrue(BlockFormats.supports(type));
    }

    @Test
    void unsupportedTypesAreRejectedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BlockFormats.of(GgmlType.IQ2_XXS));
        assertTrue(e.getMessage().contains("IQ2_XXS"), e.getMessage());
        assertFalse(BlockFormats.supports(GgmlType.IQ2_XXS));
    }

    @Test
    void quantizersExistForTheReferenceQuantizedTypesOnly() {
        assertInstanceOf(Q8_0Format.class, BlockFormats.quantizer(GgmlType.Q8_0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BlockFormats.quantizer(GgmlType.Q4_K));
        assertTrue(e.getMessage().contains("Q4_K"), e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(names = {"Q4_0", "Q2_K", "Q6_K"})
    void dequantizeRejectsPartialBlocks(GgmlType type) {
        MemorySegment data = MemorySegment.ofArray(new byte[4 * type.bytesPerBlock()]);
        assertThrows(IllegalArgumentException.class,
                () -> BlockFormats.of(type).dequantize(data, 0, new float[1024], 0, type.blockSize() + 1));
    }

    @Test
    void dequantizeStaysWithinTheSegment() {
        MemorySegment oneBlock = MemorySegment.ofArray(new byte[34]);
        assertThrows(IndexOutOfBoundsException.class, () -> Q8_0Format.INSTANCE.dequantize(oneBlock, 0, 64));
    }
}
