package io.starling.tokenizer.jinja;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Python methods templates call on strings, dicts and lists ({@code content.strip()}, {@code message.get('x')}). */
final class Methods {
    private Methods() {
    }

    static Object call(Object target, String name, List<Object> args) {
        return switch (target) {
            case String s -> string(s, name, args);
            case Map<?, ?> map -> dict(map, name, args);
            case List<?> list -> list(list, name, args);
            case null, default -> throw new TemplateException("'" + Values.typeName(target) + "' has no method '" + name + "'");
        };
    }

    private static Object string(String s, String name, List<Object> args) {
        String arg0 = args.isEmpty() || args.getFirst() == null ? null : Values.str(args.getFirst());
        return switch (name) {
            case "strip" -> Text.strip(s, arg0, true, true);
            case "lstrip" -> Text.strip(s, arg0, true, false);
            case "rstrip" -> Text.strip(s, arg0, false, true);
            case "upper" -> s.toUpperCase();
            case "lower" -> s.toLowerCase();
            case "title" -> Text.title(s);
            case "capitalize" -> Text.capitalize(s);
            case "startswith" -> affixes(args).stream().anyMatch(s::startsWith);
            case "endswith" -> affixes(args).stream().anyMatch(s::endsWith);
            case "replace" -> s.replace(Values.str(args.get(0)), Values.str(args.get(1)));
            case "split" -> split(s, arg0, args.size() > 1 ? (int) Values.toLong(args.get(1)) : -1);
            case "join" -> String.join(s, Values.iterate(args.getFirst()).stream().map(Values::str).toList());
            case "find" -> (long) s.indexOf(Values.str(args.getFirst()));
            default -> throw new TemplateException("'string' has no method '" + name + "'");
        };
    }

    private static List<String> affixes(List<Object> args) {
        Object arg = args.getFirst();
        return arg instanceof List<?> list ? list.stream().map(Values::str).toList() : List.of(Values.str(arg));
    }

    private static List<Object> split(String s, String separator, int maxSplit) {
        if (separator == null) {
            String stripped = s.strip();
            return stripped.isEmpty() ? new ArrayList<>() : new ArrayList<>(Arrays.asList(stripped.split("\\s+", maxSplit < 0 ? 0 : maxSplit + 1)));
        }
        List<Object> parts = new ArrayList<>();
        int from = 0;
        int at;
        while ((maxSplit < 0 || parts.size() < maxSplit) && (at = s.indexOf(separator, from)) >= 0) {
            parts.add(s.substring(from, at));
            from = at + separator.length();
        }
        parts.add(s.substring(from));
        return parts;
    }

    private static Object dict(Map<?, ?> map, String name, List<Object> args) {
        return switch (name) {
            case "get" -> {
                String key = Values.str(args.getFirst());
                yield map.containsKey(key) ? map.get(key) : (args.size() > 1 ? args.get(1) : null);
            }
            case "items" -> {
                List<Object> items = new ArrayList<>();
                map.forEach((k, v) -> items.add(List.of(k, v == null ? Interpreter.UNDEFINED : v)));
                yield items;
            }
            case "keys" -> new ArrayList<Object>(map.keySet());
            case "values" -> new ArrayList<Object>(map.values());
            default -> throw new TemplateException("'dict' has no method '" + name + "'");
        };
    }

    @SuppressWarnings("unchecked")
    private static Object list(List<?> list, String name, List<Object> args) {
        if (name.equals("append")) {
            ((List<Object>) list).add(args.getFirst());
            return null;
        }
        throw new TemplateException("'list' has no method '" + name + "'");
    }
}
