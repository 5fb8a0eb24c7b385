package io.starling.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ApiKeysTest {

    @Test
    void acceptsOnlyExactKeys() {
        ApiKeys keys = new ApiKeys(List.of(" sk-a ", "sk-bb", ""));
        assertThat(keys.required()).isTrue();
        assertThat(keys.accepts("sk-a")).isTrue();
        assertThat(keys.accepts("sk-bb")).isTrue();
        assertThat(keys.accepts("sk-b")).isFalse();
        assertThat(keys.accepts("sk-bbb")).isFalse();
        assertThat(keys.accepts("")).isFalse();
    }

    @Test
    void eachKeyHasAStableIdThatDoesNotRevealIt() {
        ApiKeys keys = new ApiKeys(List.of("sk-a", "sk-bb"));
        // printf sk-a | sha256sum → a4a6d307ad00fa67…
        assertThat(keys.idOf("sk-a")).isEqualTo("key-a4a6d307ad00");
        assertThat(keys.idOf("sk-bb")).isNotEqualTo(keys.idOf("sk-a")).matches("key-[0-9a-f]{12}");
        assertThat(keys.idOf("sk-c")).isNull();
    }

    @Test
    void noKeysMeansOpen() {
        assertThat(new ApiKeys(List.of("  ")).required()).isFalse();
    }
}
