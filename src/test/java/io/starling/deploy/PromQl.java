package io.starling.deploy;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a PromQL expression reads, found the simple way: strings, label matchers, ranges and grouping
 * clauses removed, then every identifier that is neither a function (followed by a parenthesis) nor a keyword.
 * Grafana's {@code label_values(metric, label)} reads {@code metric}.
 */
final class PromQl {

    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*([^,)]+)(?:,[^)]*)?\\)");
    private static final Pattern STRINGS = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'");
    private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");
    private static final Pattern RANGES = Pattern.compile("\\[[^]]*]");
    private static final Pattern GROUPING = Pattern.compile(
            "\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w$.:])([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?");
    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left",
            "group_right", "bool", "and", "or", "unless", "offset", "atan2", "inf", "nan");

    private PromQl() {
    }

    static Set<String> metricNames(String expression) {
        Matcher labelValues = LABEL_VALUES.matcher(expression);
        String expr = labelValues.find() ? labelValues.group(1) : expression;
        expr = STRINGS.matcher(expr).replaceAll(" ");
        expr = MATCHERS.matcher(expr).replaceAll(" ");
        expr = RANGES.matcher(expr).replaceAll(" ");
        expr = GROUPING.matcher(expr).replaceAll(" ");
        Set<String> names = new TreeSet<>();
        Matcher identifier = IDENTIFIER.matcher(expr);
        while (identifier.find()) {
            String name = identifier.group(1);
            boolean function = identifier.group(2) != null;
            if (!function && !KEYWORDS.contains(name.toLowerCase())) {
                names.add(name);
            }
        }
        return names;
    }
}
