package io.starling.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TextIdsTest {

    @Test
    void findsEveryTextAsAMapWouldWithTheLaterDuplicateWinning() {
        Random random = new Random(7);
        String[] texts = new String[5000];
        Map<String, Integer> expected = new HashMap<>();
        for (int id = 0; id < texts.length; id++) {
            // few distinct short texts, so duplicates and colliding probes are common
            texts[id] = id % 97 == 0 ? "" : Integer.toString(random.nextInt(3000), 36);
            expected.put(texts[id], id);
        }
        TextIds ids = new TextIds(texts);
        expected.forEach((text, id) -> assertThat(ids.idOf(text)).as(text).isEqualTo(id));
        assertThat(ids.idOf("not-a-token")).isEqualTo(-1);
    }

    @Test
    void anEmptyVocabularyHasNoIds() {
        assertThat(new TextIds(new String[0]).idOf("a")).isEqualTo(-1);
    }
}
