package io.starling.tokenizer.jinja;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The Jinja filters and tests chat templates use. */
final class Filters {
    private Filters() {
    }

    static Object apply(String name, Object value, List<Object> args) {
        return switch (name) {
            case "trim" -> Text.strip(string(name, value), args.isEmpty() ? null : Values.str(args.getFirst()), true, true);
            case "length", "count" -> (long) (value instanceof String s ? s.codePointCount(0, s.length()) : Values.iterate(value).size());
            case "upper" -> string(name, value).toUpperCase();
            case "lower" -> string(name, value).toLowerCase();
            case "capitalize" -> Text.capitalize(string(name, value));
            case "title" -> Text.title(string(name, value));
            case "string" -> Values.str(value);
            case "safe", "e", "escape" -> value;
            case "tojson" -> Text.json(value);
            case "first" -> Values.iterate(value).isEmpty() ? Interpreter.UNDEFINED : Values.iterate(value).getFirst();
            case "last" -> Values.iterate(value).isEmpty() ? Interpreter.UNDEFINED : Values.iterate(value).getLast();
            case "list" -> Values.iterate(value);
            case "join" -> join(value, args.isEmpty() ? "" : Values.str(args.getFirst()));
            case "replace" -> string(name, value).replace(Values.str(args.get(0)), Values.str(args.get(1)));
            case "int" -> value instanceof String s ? parseLong(s) : Values.toLong(value);
            case "default", "d" -> {
                boolean orFalsy = args.size() > 1 && Values.truthy(args.get(1));
                boolean missing = value == Interpreter.UNDEFINED || (orFalsy && !Values.truthy(value));
                yield missing ? (args.isEmpty() ? "" : args.getFirst()) : value;
            }
            case "items" -> Methods.call(value, "items", List.of());
            default -> throw new TemplateException("unknown filter '" + name + "'");
        };
    }

    static boolean test(String name, Object value, List<Object> args) {
        return switch (name) {
            case "defined" -> value != Interpreter.UNDEFINED;
            case "undefined" -> value == Interpreter.UNDEFINED;
            case "none" -> value == null;
            case "string" -> value instanceof String;
            case "number" -> value instanceof Long || value instanceof Double;
            case "integer" -> value instanceof Long;
            case "float" -> value instanceof Double;
            case "boolean" -> value instanceof Boolean;
            case "true" -> Boolean.TRUE.equals(value);
            case "false" -> Boolean.FALSE.equals(value);
            case "mapping" -> value instanceof Map<?, ?>;
            case "sequence", "iterable" -> value instanceof List<?> || value instanceof String || value instanceof Map<?, ?>;
            case "even" -> Values.toLong(value) % 2 == 0;
            case "odd" -> Values.toLong(value) % 2 != 0;
            case "divisibleby" -> Values.toLong(value) % Values.toLong(args.getFirst()) == 0;
            case "eq", "equalto", "==" -> Values.equal(value, args.getFirst());
            case "ne", "!=" -> !Values.equal(value, args.getFirst());
            case "in" -> (Boolean) Values.binary("in", value, args.getFirst());
            default -> throw new TemplateException("unknown test '" + name + "'");
        };
    }

    private static String string(String filter, Object value) {
        if (value instanceof String s) {
            return s;
        }
        if (value == Interpreter.UNDEFINED) {
            throw new TemplateException("filter '" + filter + "' applied to an undefined value");
        }
        return Values.str(value);
    }

    private static String join(Object value, String separator) {
        List<String> parts = new ArrayList<>();
        for (Object item : Values.iterate(value)) {
            parts.add(Values.str(item));
        }
        return String.join(separator, parts);
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
