package io.starling.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.starling.gguf.GgufFormatException;
import io.starling.gguf.GgufMetadata;
import io.starling.gguf.GgufValueType;
import org.junit.jupiter.api.Test;

class RopeScalingTest {

    @Test
    void withoutKeysNothingIsScaled() {
        RopeScaling scaling = RopeScaling.of(GgufMetadata.builder().build(), "llama", 2048);
        assertThat(scaling).isEqualTo(new RopeScaling(RopeScaling.Type.LINEAR, 1f, 2048));
    }

    @Test
    void theFactorBecomesItsInverseAsFrequencyScale() {
        GgufMetadata md = GgufMetadata.builder()
                .put("llama.rope.scaling.type", GgufValueType.STRING, "yarn")
                .put("llama.rope.scaling.factor", GgufValueType.FLOAT32, 4f)
                .put("llama.rope.scaling.original_context_length", GgufValueType.UINT32, 4096L)
                .build();
        assertThat(RopeScaling.of(md, "llama", 16384)).isEqualTo(new RopeScaling(RopeScaling.Type.YARN, 0.25f, 4096));
    }

    @Test
    void typeNoneIgnoresTheFactorAsLlamaCppDoes() {
        GgufMetadata md = GgufMetadata.builder()
                .put("llama.rope.scaling.type", GgufValueType.STRING, "none")
                .put("llama.rope.scaling.factor", GgufValueType.FLOAT32, 8f)
                .build();
        assertThat(RopeScaling.of(md, "llama", 512).freqScale()).isEqualTo(1f);
    }

    @Test
    void unknownTypesAreRejected() {
        GgufMetadata md = GgufMetadata.builder().put("llama.rope.scaling.type", GgufValueType.STRING, "longrope").build();
        assertThatThrownBy(() -> RopeScaling.of(md, "llama", 512)).isInstanceOf(GgufFormatException.class)
                .hasMessageContaining("longrope");
    }
}
