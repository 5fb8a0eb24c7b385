package io.starling.config;

import java.util.Optional;

/**
 * The keys of one pipeline, {@code starling.pipelines.<name>.*}, declared so SmallRye Config knows them (an unknown
 * key fails startup naming it, and env vars such as {@code STARLING_PIPELINES_MOOD_CLASSIFY_LABELS} resolve). They are
 * read as text and checked by the framework-free {@code io.starling.pipeline.PipelineConfig}, which {@code starling
 * batch} uses too; README "Pipelines" documents each.
 */
public interface PipelineKeys {

    Optional<String> model();

    Optional<String> stages();

    Classify classify();

    Generate generate();

    Extract extract();

    Postprocess postprocess();

    interface Classify {
        Optional<String> labels();

        Optional<String> method();

        Optional<String> template();

        Optional<String> temperature();
    }

    interface Generate {
        Optional<String> template();

        Optional<String> maxTokens();

        Optional<String> temperature();

        Optional<String> topP();

        Optional<String> seed();

        Optional<String> stop();
    }

    interface Extract {
        Optional<String> jsonField();

        Optional<String> regex();

        Optional<String> group();
    }

    interface Postprocess {
        Optional<String> minConfidence();

        Optional<String> fallbackLabel();

        Optional<String> rename();
    }
}
