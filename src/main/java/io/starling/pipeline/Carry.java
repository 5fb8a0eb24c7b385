package io.starling.pipeline;

/**
 * What one input carries from stage to stage, the contract between stages: every stage reads {@code text} (the
 * request's input until a stage replaces it); {@code embed} leaves the text's {@code embedding} (the embedding
 * classifier uses it instead of computing it again); {@code classify} leaves its {@code classification} and makes
 * the label the text; {@code generate} makes its completion the text, {@code extract} the value it found (empty if
 * none); {@code postprocess} rewrites the classification.
 *
 * @param input          the request's input, unchanged through the pipeline (templates' {@code {input}})
 * @param text           the previous stage's text (templates' {@code {text}})
 * @param embedding      the embedding of {@code text} if an embed stage computed it since the text last changed
 * @param classification the last classification, or null before any
 */
public record Carry(String input, String text, float[] embedding, Classification classification) {

    static Carry of(String input) {
        return new Carry(input, input, null, null);
    }

    /** A template with {@code {input}} and {@code {text}} filled in. */
    String fill(String template) {
        return template.replace("{input}", input).replace("{text}", text);
    }
}
