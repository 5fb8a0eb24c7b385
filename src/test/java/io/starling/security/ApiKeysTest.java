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
    void noKeysMeansOpen() {
        assertThat(new ApiKeys(List.of("  ")).required()).isFalse();
    }
}
