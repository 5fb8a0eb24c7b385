package io.starling.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.starling.TestModels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** The greedy continuations llama.cpp produced for the shared test models, read from {@code golden.json}. */
record Golden(String file, int[] promptTokens, int[] generatedTokens, List<List<TokenLogprob>> top5,
              double minMargin) {

    record TokenLogprob(int id, double logprob) {
    }

    static Golden of(String file) {
        JsonNode node = root().path("files").path(file);
        if (node.isMissingNode()) {
            throw new IllegalArgumentException(file + " is not in golden.json");
        }
        List<List<TokenLogprob>> steps = new ArrayList<>();
        for (JsonNode step : node.get("top5_logprobs")) {
            List<TokenLogprob> top = new ArrayList<>();
            step.forEach(e -> top.add(new TokenLogprob(e.get("id").asInt(), e.get("logprob").asDouble())));
            steps.add(top);
        }
        return new Golden(file, ints(node.get("prompt_tokens")), ints(node.get("generated_tokens")), steps,
                node.get("top1_top2_min_margin").asDouble());
    }

    static List<String> files() {
        List<String> names = new ArrayList<>();
        root().path("files").fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** The prompt followed by the generated tokens: what a teacher-forced run feeds. */
    int[] allTokens() {
        int[] all = new int[promptTokens.length + generatedTokens.length];
        System.arraycopy(promptTokens, 0, all, 0, promptTokens.length);
        System.arraycopy(generatedTokens, 0, all, promptTokens.length, generatedTokens.length);
        return all;
    }

    private static JsonNode root() {
        try {
            return new ObjectMapper().readTree(TestModels.file("golden.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int[] ints(JsonNode array) {
        int[] values = new int[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = array.get(i).asInt();
        }
        return values;
    }
}
