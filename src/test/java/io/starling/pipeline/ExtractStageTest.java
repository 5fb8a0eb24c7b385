package io.starling.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** extract needs no model: it reads the carry's text. */
class ExtractStageTest {

    private static List<StageResult> extract(String key, String value, String... texts) {
        PipelineSpec spec = PipelineConfig.parse(Map.of("starling.pipelines.x.stages", "extract",
                "starling.pipelines.x.extract." + key, value), Map.of()).get("x");
        ExtractStage stage = new ExtractStage((StageSpec.Extract) spec.stages().getFirst());
        return java.util.Arrays.stream(texts).map(text -> stage.apply(Carry.of(text), null)).toList();
    }

    @Test
    void aJsonFieldOfTheFirstObjectInTheText() {
        List<StageResult> results = extract("json-field", "answer.label",
                "Sure! ```json\n{\"answer\": {\"label\": \"yes\", \"score\": 0.9}}\n``` done {\"answer\":{\"label\":\"no\"}}",
                "{broken {\"answer\": {\"label\": 3}}",
                "{\"answer\": {\"label\": [1, 2]}}",
                "{\"other\": 1}",
                "no json at all");
        assertThat(results).extracting(StageResult::text).containsExactly("yes", "3", "[1,2]", "", "");
        assertThat(results).extracting(r -> ((StageOutputs.Extracted) r.output()).found())
                .containsExactly(true, true, true, false, false);
    }

    @Test
    void aRegexGroupOfTheFirstMatch() {
        List<StageResult> results = extract("regex", "Answer: (\\w+)", "Answer: blue. Answer: red", "nothing");
        assertThat(results).extracting(StageResult::text).containsExactly("blue", "");
        assertThat(((StageOutputs.Extracted) results.get(1).output()).value()).isNull();
    }
}
