package io.starling.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class StopStringsTest {

    @Test
    void withoutStopsEverythingPassesAtOnce() {
        StopStrings stops = new StopStrings(List.of());
        assertThat(stops.accept("Once")).isEqualTo("Once");
        assertThat(stops.finish()).isEmpty();
        assertThat(stops.stopped()).isFalse();
    }

    @Test
    void cutsAtAStopStringSplitAcrossTokens() {
        StopStrings stops = new StopStrings(List.of("girl"));
        assertThat(stops.accept(" a little g")).isEqualTo(" a little ");
        assertThat(stops.accept("ir")).isEmpty();
        assertThat(stops.accept("l named")).isEmpty();
        assertThat(stops.stopped()).isTrue();
        assertThat(stops.accept("more")).isEmpty();
        assertThat(stops.finish()).isEmpty();
    }

    @Test
    void releasesHeldBackTextThatDidNotBecomeAStop() {
        StopStrings stops = new StopStrings(List.of("girl", "\n\n"));
        assertThat(stops.accept("a gi")).isEqualTo("a ");
        assertThat(stops.accept("ant\n")).isEqualTo("giant");
        assertThat(stops.finish()).isEqualTo("\n");
        assertThat(stops.stopped()).isFalse();
    }

    @Test
    void theEarliestOfSeveralStopsWins() {
        StopStrings stops = new StopStrings(List.of("ball", "red"));
        assertThat(stops.accept("a big, red ball.")).isEqualTo("a big, ");
    }
}
