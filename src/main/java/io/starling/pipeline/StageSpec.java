package io.starling.pipeline;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One configured stage of a pipeline, as {@link PipelineConfig} read it: what the stage does and its options. The
 * record's text ({@code toString}) is its canonical definition, which result-cache keys hash.
 */
public sealed interface StageSpec {

    /** The stage's name in config keys, in {@code stages=} and in the result's {@code stages} object. */
    String name();

    /**
     * Whether results are cached: the same model version, definition and carry always give the same result
     * (tokenize, embed, classify, greedy generate, extract). Postprocess is deterministic too, but a lookup would
     * cost more than it does.
     */
    default boolean cacheable() {
        return switch (this) {
            case Generate generate -> generate.greedy();
            case Postprocess _ -> false;
            default -> true;
        };
    }

    /** The text's token ids and their count. */
    record Tokenize() implements StageSpec {
        public String name() {
            return "tokenize";
        }
    }

    /** The model's sentence embedding of the text, as {@code /v1/embeddings} computes it. */
    record Embed() implements StageSpec {
        public String name() {
            return "embed";
        }
    }

    /** How {@link Classify} scores a label. */
    enum Method {
        /** The model's log-probability of the label's tokens after the prompt template. */
        LIKELIHOOD,
        /** The cosine between the text's embedding and the label's. */
        EMBEDDING
    }

    /**
     * Zero-shot classification over {@code labels}.
     *
     * @param template    the prompt a label continues (likelihood only); {@code {input}} and {@code {text}} are
     *                    replaced by the request's input and the previous stage's text
     * @param temperature divides the cosines before their softmax (embedding only): cosines of unrelated texts differ
     *                    by hundredths, so without it every confidence would sit near 1/labels
     */
    record Classify(List<String> labels, Method method, String template, double temperature) implements StageSpec {
        public Classify {
            labels = List.copyOf(labels);
        }

        public String name() {
            return "classify";
        }
    }

    /** The engine's continuation of a prompt template; deterministic (and cached) at temperature 0 only. */
    record Generate(String template, int maxTokens, float temperature, float topP, long seed, List<String> stop)
            implements StageSpec {
        public Generate {
            stop = List.copyOf(stop);
        }

        public String name() {
            return "generate";
        }

        boolean greedy() {
            return temperature == 0;
        }
    }

    /** A value cut from the text: a JSON field (dotted path into the first JSON object in it) or a regex group. */
    record Extract(String jsonField, Pattern regex, int group) implements StageSpec {
        public String name() {
            return "extract";
        }

        @Override
        public String toString() {
            // Pattern has no value equality; its source is what defines the stage
            return "Extract[jsonField=" + jsonField + ", regex=" + (regex == null ? null : regex.pattern())
                    + ", group=" + group + "]";
        }
    }

    /**
     * The classification made final: labels renamed through {@code rename}, and a confidence below
     * {@code minConfidence} answered with {@code fallbackLabel} instead.
     */
    record Postprocess(double minConfidence, String fallbackLabel, Map<String, String> rename) implements StageSpec {
        public Postprocess {
            // in configured order: the definition's text must be the same in every run (batch job identity)
            rename = Collections.unmodifiableMap(new LinkedHashMap<>(rename));
        }

        public String name() {
            return "postprocess";
        }
    }
}
