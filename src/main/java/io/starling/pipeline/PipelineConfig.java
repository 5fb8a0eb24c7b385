package io.starling.pipeline;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads pipeline definitions from flat config keys, {@code starling.pipelines.<name>.<key>}, without any framework,
 * so the server (from SmallRye Config) and {@code starling batch} (from a properties file) read them alike. Every
 * key is checked: an unknown key, an option of a stage the pipeline does not run or a bad value is an error that
 * names the key, so a typo fails at startup instead of being ignored.
 */
public final class PipelineConfig {

    public static final String PREFIX = "starling.pipelines.";
    private static final String ENV_PREFIX = "STARLING_PIPELINES_";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    /** Every key a pipeline may set, after {@code starling.pipelines.<name>.}. */
    static final List<String> KEYS = List.of("model", "stages",
            "classify.labels", "classify.method", "classify.template", "classify.temperature",
            "generate.template", "generate.max-tokens", "generate.temperature", "generate.top-p", "generate.seed",
            "generate.stop",
            "extract.json-field", "extract.regex", "extract.group",
            "postprocess.min-confidence", "postprocess.fallback-label", "postprocess.rename");

    static final String DEFAULT_CLASSIFY_TEMPLATE = "{text}\nLabel:";
    static final double DEFAULT_EMBEDDING_TEMPERATURE = 0.05;
    static final int DEFAULT_MAX_TOKENS = 64;

    private PipelineConfig() {
    }

    /**
     * The pipelines defined by {@code properties} (dotted keys; others are ignored) and {@code environment}
     * ({@code STARLING_PIPELINES_<NAME>_<KEY>}, e.g. {@code STARLING_PIPELINES_SENTIMENT_CLASSIFY_LABELS}; others are
     * ignored), the environment winning as it does in SmallRye Config. An environment name matches a dotted
     * pipeline whose name upper-cased with {@code -} and {@code .} as {@code _} is the same; otherwise the pipeline
     * is named by it in lower case.
     */
    public static Map<String, PipelineSpec> parse(Map<String, String> properties, Map<String, String> environment) {
        Map<String, Map<String, String>> byName = new TreeMap<>();
        properties.forEach((key, value) -> {
            if (key.startsWith(PREFIX)) {
                String rest = key.substring(PREFIX.length());
                String name = KEYS.stream().sorted(Comparator.comparingInt(String::length).reversed())
                        .filter(k -> rest.endsWith("." + k)).findFirst()
                        .map(k -> rest.substring(0, rest.length() - k.length() - 1)).orElse(null);
                if (name == null || name.isEmpty()) {
                    throw new PipelineConfigException(key, "unknown pipeline key; a pipeline takes " + String.join(", ", KEYS));
                }
                byName.computeIfAbsent(name, n -> new LinkedHashMap<>()).put(rest.substring(name.length() + 1), value);
            }
        });
        Map<String, String> envNames = new LinkedHashMap<>();
        byName.keySet().forEach(name -> envNames.put(envForm(name), name));
        environment.forEach((key, value) -> {
            if (key.startsWith(ENV_PREFIX)) {
                String rest = key.substring(ENV_PREFIX.length());
                String known = KEYS.stream().sorted(Comparator.comparingInt(String::length).reversed())
                        .filter(k -> rest.endsWith("_" + envForm(k))).findFirst().orElse(null);
                if (known == null || rest.length() == envForm(known).length() + 1) {
                    throw new PipelineConfigException(key, "unknown pipeline variable; it must end in one of "
                            + String.join(", ", KEYS.stream().map(k -> "_" + envForm(k)).toList()));
                }
                String envName = rest.substring(0, rest.length() - envForm(known).length() - 1);
                String name = envNames.computeIfAbsent(envName, n -> n.toLowerCase(Locale.ROOT));
                byName.computeIfAbsent(name, n -> new LinkedHashMap<>()).put(known, value);
            }
        });
        Map<String, PipelineSpec> pipelines = new LinkedHashMap<>();
        byName.forEach((name, keys) -> pipelines.put(name, pipeline(name, keys)));
        return pipelines;
    }

    private static String envForm(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static PipelineSpec pipeline(String name, Map<String, String> keys) {
        Function<String, String> full = key -> PREFIX + name + "." + key;
        if (!NAME.matcher(name).matches()) {
            throw new PipelineConfigException(full.apply("stages"), "the pipeline name '" + name
                    + "' must be letters, digits, '.', '_' or '-' (it is part of the URL /v1/pipelines/" + name + ")");
        }
        Options options = new Options(keys, full);
        String stagesValue = options.required("stages");
        List<String> stageNames = options.list("stages");
        if (stageNames.isEmpty()) {
            throw new PipelineConfigException(full.apply("stages"), "no stages in '" + stagesValue + "'");
        }
        Set<String> seen = new TreeSet<>();
        List<StageSpec> stages = new ArrayList<>();
        for (String stage : stageNames) {
            if (!seen.add(stage)) {
                throw new PipelineConfigException(full.apply("stages"), "stage '" + stage
                        + "' appears twice; each stage runs at most once (its options are keyed by its name)");
            }
            stages.add(switch (stage) {
                case "tokenize" -> new StageSpec.Tokenize();
                case "embed" -> new StageSpec.Embed();
                case "classify" -> classify(options);
                case "generate" -> generate(options);
                case "extract" -> extract(options);
                case "postprocess" -> {
                    if (!seen.contains("classify")) {
                        throw new PipelineConfigException(full.apply("stages"),
                                "postprocess works on a classification: put classify before it");
                    }
                    yield postprocess(options);
                }
                default -> throw new PipelineConfigException(full.apply("stages"), "unknown stage '" + stage
                        + "'; stages are tokenize, embed, classify, generate, extract, postprocess");
            });
        }
        for (String key : keys.keySet()) {
            int dot = key.indexOf('.');
            if (dot > 0 && !seen.contains(key.substring(0, dot))) {
                throw new PipelineConfigException(full.apply(key), "is set but stage '" + key.substring(0, dot)
                        + "' is not in " + full.apply("stages") + " (" + stagesValue + ")");
            }
        }
        String model = keys.get("model");
        return new PipelineSpec(name, model == null || model.isBlank() ? null : model.strip(), stages);
    }

    private static StageSpec.Classify classify(Options options) {
        List<String> labels = options.list("classify.labels");
        if (labels.size() < 2 || new TreeSet<>(labels).size() != labels.size()) {
            throw new PipelineConfigException(options.key("classify.labels"),
                    "needs at least two different labels, comma-separated; got '" + options.get("classify.labels", "") + "'");
        }
        StageSpec.Method method = switch (options.get("classify.method", "likelihood").strip()) {
            case "likelihood" -> StageSpec.Method.LIKELIHOOD;
            case "embedding" -> StageSpec.Method.EMBEDDING;
            default -> throw new PipelineConfigException(options.key("classify.method"),
                    "must be likelihood or embedding, got '" + options.get("classify.method", "") + "'");
        };
        if (method == StageSpec.Method.EMBEDDING && options.has("classify.template")) {
            throw new PipelineConfigException(options.key("classify.template"),
                    "only the likelihood method uses a prompt template; the embedding method compares the text itself");
        }
        if (method == StageSpec.Method.LIKELIHOOD && options.has("classify.temperature")) {
            throw new PipelineConfigException(options.key("classify.temperature"),
                    "only the embedding method has a temperature; likelihood confidences are the label probabilities");
        }
        String template = options.get("classify.template", DEFAULT_CLASSIFY_TEMPLATE);
        if (method == StageSpec.Method.LIKELIHOOD) {
            options.requirePlaceholder("classify.template", template);
        }
        double temperature = options.number("classify.temperature", DEFAULT_EMBEDDING_TEMPERATURE, 1e-4, 10);
        return new StageSpec.Classify(labels, method, method == StageSpec.Method.LIKELIHOOD ? template : null,
                method == StageSpec.Method.EMBEDDING ? temperature : 1);
    }

    private static StageSpec.Generate generate(Options options) {
        String template = options.get("generate.template", "{text}");
        options.requirePlaceholder("generate.template", template);
        int maxTokens = (int) options.whole("generate.max-tokens", DEFAULT_MAX_TOKENS, 1, 1 << 20);
        float temperature = (float) options.number("generate.temperature", 0, 0, 100);
        float topP = (float) options.number("generate.top-p", 1, 1e-6, 1);
        long seed = options.whole("generate.seed", 0, Long.MIN_VALUE, Long.MAX_VALUE);
        return new StageSpec.Generate(template, maxTokens, temperature, topP, seed, options.list("generate.stop"));
    }

    private static StageSpec.Extract extract(Options options) {
        boolean json = options.has("extract.json-field");
        boolean regex = options.has("extract.regex");
        if (json == regex) {
            throw new PipelineConfigException(options.key("extract.json-field"),
                    "set exactly one of extract.json-field and extract.regex");
        }
        if (json) {
            if (options.has("extract.group")) {
                throw new PipelineConfigException(options.key("extract.group"), "only applies to extract.regex");
            }
            String field = options.get("extract.json-field", "").strip();
            if (field.isEmpty() || Arrays.stream(field.split("\\.", -1)).anyMatch(String::isEmpty)) {
                throw new PipelineConfigException(options.key("extract.json-field"),
                        "must be a field name or a dotted path such as answer.label, got '" + field + "'");
            }
            return new StageSpec.Extract(field, null, 0);
        }
        Pattern pattern;
        try {
            pattern = Pattern.compile(options.get("extract.regex", ""));
        } catch (PatternSyntaxException e) {
            throw new PipelineConfigException(options.key("extract.regex"), "is no valid regular expression: "
                    + e.getDescription());
        }
        int groups = pattern.matcher("").groupCount();
        int group = (int) options.whole("extract.group", groups > 0 ? 1 : 0, 0, groups);
        return new StageSpec.Extract(null, pattern, group);
    }

    private static StageSpec.Postprocess postprocess(Options options) {
        double min = options.number("postprocess.min-confidence", 0, 0, 1);
        String fallback = options.get("postprocess.fallback-label", "").strip();
        if (min > 0 && fallback.isEmpty()) {
            throw new PipelineConfigException(options.key("postprocess.fallback-label"),
                    "is required with postprocess.min-confidence: the label answered below it");
        }
        Map<String, String> rename = new LinkedHashMap<>();
        for (String pair : options.list("postprocess.rename")) {
            int colon = pair.indexOf(':');
            if (colon <= 0 || colon == pair.length() - 1) {
                throw new PipelineConfigException(options.key("postprocess.rename"),
                        "must be label:new-label pairs, comma-separated; got '" + pair + "'");
            }
            rename.put(pair.substring(0, colon).strip(), pair.substring(colon + 1).strip());
        }
        if (min == 0 && fallback.isEmpty() && rename.isEmpty()) {
            throw new PipelineConfigException(options.key("postprocess.min-confidence"),
                    "postprocess has nothing to do: set postprocess.min-confidence (with fallback-label) or postprocess.rename");
        }
        return new StageSpec.Postprocess(min, fallback.isEmpty() ? null : fallback, rename);
    }

    /** One pipeline's keys with the checks every value goes through. */
    private record Options(Map<String, String> keys, Function<String, String> full) {

        String key(String key) {
            return full.apply(key);
        }

        boolean has(String key) {
            return keys.containsKey(key);
        }

        String get(String key, String otherwise) {
            return keys.getOrDefault(key, otherwise);
        }

        String required(String key) {
            String value = keys.get(key);
            if (value == null || value.isBlank()) {
                throw new PipelineConfigException(key(key), "is required");
            }
            return value;
        }

        /** A comma-separated list, blanks trimmed and empty entries dropped. */
        List<String> list(String key) {
            String value = keys.get(key);
            if (value == null) {
                return List.of();
            }
            return Arrays.stream(value.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
        }

        double number(String key, double otherwise, double min, double max) {
            return bounded(key, otherwise, Double::parseDouble, min, max, "a number");
        }

        long whole(String key, long otherwise, long min, long max) {
            return bounded(key, otherwise, Long::parseLong, min, max, "a whole number");
        }

        /** The key's value parsed and within [min, max] (NaN never is), or {@code otherwise} when it is not set. */
        private <T extends Comparable<T>> T bounded(String key, T otherwise, Function<String, T> parse, T min, T max,
                                                    String what) {
            String value = keys.get(key);
            if (value == null) {
                return otherwise;
            }
            T number;
            try {
                number = parse.apply(value.strip());
            } catch (NumberFormatException e) {
                throw new PipelineConfigException(key(key), "must be " + what + ", got '" + value + "'");
            }
            if (number.compareTo(min) < 0 || number.compareTo(max) > 0) {
                throw new PipelineConfigException(key(key), "must be between " + min + " and " + max + ", got " + value);
            }
            return number;
        }

        void requirePlaceholder(String key, String template) {
            if (!template.contains("{input}") && !template.contains("{text}")) {
                throw new PipelineConfigException(key(key), "must contain {input} (the request's input) or {text} "
                        + "(the previous stage's text), got '" + template + "'");
            }
        }
    }
}
