package io.starling.pipeline;

/**
 * What one stage made of one input: the output shown in the result's {@code stages} object, what it changes in the
 * {@link Carry} (null: unchanged) and the tokens the engine spent on it (zero when it came from the cache).
 */
record StageResult(Object output, String text, float[] embedding, Classification classification, int promptTokens,
                   int completionTokens) {

    static StageResult of(Object output) {
        return new StageResult(output, null, null, null, 0, 0);
    }

    /** The carry the next stage reads. A new text drops the embedding, which belonged to the old one. */
    Carry applyTo(Carry carry) {
        String newText = text != null ? text : carry.text();
        float[] newEmbedding = embedding != null ? embedding : text != null ? null : carry.embedding();
        return new Carry(carry.input(), newText, newEmbedding,
                classification != null ? classification : carry.classification());
    }

    /** The same result answered from the cache: no tokens spent. */
    StageResult cached() {
        return new StageResult(output, text, embedding, classification, 0, 0);
    }

    /** Roughly what the result keeps on the heap, for the cache's byte bound. */
    long approximateBytes() {
        long bytes = 128;
        bytes += text == null ? 0 : 2L * text.length();
        bytes += embedding == null ? 0 : 4L * embedding.length;
        bytes += classification == null ? 0 : 64L * classification.scores().size();
        if (output instanceof StageOutputs.Tokens tokens) {
            bytes += 4L * tokens.tokens().length;
        } else if (output instanceof StageOutputs.Generated generated) {
            bytes += 2L * generated.text().length();
        } else if (output instanceof StageOutputs.Extracted extracted && extracted.value() != null) {
            bytes += 2L * extracted.value().length();
        }
        return bytes;
    }
}
