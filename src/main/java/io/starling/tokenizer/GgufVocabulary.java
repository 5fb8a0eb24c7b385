package io.starling.tokenizer;

import io.starling.gguf.GgufMetadata;

/** Reads a {@link Vocabulary} from the {@code tokenizer.ggml.*} keys of GGUF metadata. */
final class GgufVocabulary {
    private static final String PREFIX = "tokenizer.ggml.";

    private GgufVocabulary() {
    }

    static Vocabulary read(GgufMetadata metadata) {
        if (!metadata.contains(PREFIX + "model")) {
            throw new TokenizerException("the model file has no tokenizer (tokenizer.ggml.model is missing)");
        }
        Vocabulary.Model model = Vocabulary.Model.fromGguf(metadata.getString(PREFIX + "model"));
        return Vocabulary.builder(model, metadata.getStringArray(PREFIX + "tokens"))
                .scores(scores(metadata))
                .tokenTypes(metadata.contains(PREFIX + "token_type") ? metadata.getIntArray(PREFIX + "token_type") : null)
                .merges(metadata.contains(PREFIX + "merges") ? metadata.getStringArray(PREFIX + "merges") : null)
                .preTokenizer(metadata.findString(PREFIX + "pre").orElse(null))
                .modelName(metadata.findString("general.name").orElse(null))
                .bos(tokenId(metadata, "bos_token_id"))
                .eos(tokenId(metadata, "eos_token_id"))
                .unk(tokenId(metadata, "unknown_token_id"))
                .pad(tokenId(metadata, "padding_token_id"))
                .eot(tokenId(metadata, "eot_token_id"))
                .eom(tokenId(metadata, "eom_token_id"))
                .addBos(flag(metadata, "add_bos_token"))
                .addEos(flag(metadata, "add_eos_token"))
                .addSpacePrefix(flag(metadata, "add_space_prefix"))
                .build();
    }

    /** Scores are FLOAT32, but llama.cpp also accepts INT32. */
    private static float[] scores(GgufMetadata metadata) {
        String key = PREFIX + "scores";
        if (!metadata.contains(key)) {
            return null;
        }
        if (metadata.getArray(key).values() instanceof float[]) {
            return metadata.getFloatArray(key);
        }
        int[] ints = metadata.getIntArray(key);
        float[] scores = new float[ints.length];
        for (int i = 0; i < ints.length; i++) {
            scores[i] = ints[i];
        }
        return scores;
    }

    /** Converters write "none" as UINT32 0xFFFFFFFF; anything outside int range counts as unset. */
    private static Integer tokenId(GgufMetadata metadata, String name) {
        String key = PREFIX + name;
        if (!metadata.contains(key)) {
            return null;
        }
        long id = metadata.getLong(key);
        return id >= 0 && id <= Integer.MAX_VALUE ? (int) id : null;
    }

    private static Boolean flag(GgufMetadata metadata, String name) {
        String key = PREFIX + name;
        return metadata.contains(key) ? metadata.getBoolean(key, false) : null;
    }
}
