package io.starling.tokenizer.jinja;

/** Python's str.strip family: whitespace as Python's str.isspace sees it, or an explicit character set. */
final class Text {
    private Text() {
    }

    static String strip(String s, String chars, boolean left, boolean right) {
        int start = 0;
        int end = s.length();
        while (left && start < end && isStripped(s.charAt(start), chars)) {
            start++;
        }
        while (right && end > start && isStripped(s.charAt(end - 1), chars)) {
            end--;
        }
        return s.substring(start, end);
    }

    private static boolean isStripped(char c, String chars) {
        return chars == null ? Character.isWhitespace(c) || Character.isSpaceChar(c) || c == 0x85 : chars.indexOf(c) >= 0;
    }

    static String capitalize(String s) {
        return s.isEmpty() ? s : s.substring(0, 1).toUpperCase() + s.substring(1).toLowerCase();
    }

    static String title(String s) {
        StringBuilder out = new StringBuilder(s.length());
        boolean start = true;
        for (char c : s.toCharArray()) {
            out.append(start ? Character.toUpperCase(c) : Character.toLowerCase(c));
            start = !Character.isLetterOrDigit(c);
        }
        return out.toString();
    }

    /** JSON as Python's json.dumps(ensure_ascii=False) writes it, which is what templates' tojson gives. */
    static String json(Object value) {
        return switch (value) {
            case null -> "null";
            case String s -> quote(s);
            case Boolean b -> b.toString();
            case Number n -> n.toString();
            case java.util.List<?> list -> {
                StringBuilder out = new StringBuilder("[");
                for (int i = 0; i < list.size(); i++) {
                    out.append(i == 0 ? "" : ", ").append(json(list.get(i)));
                }
                yield out.append(']').toString();
            }
            case java.util.Map<?, ?> map -> {
                StringBuilder out = new StringBuilder("{");
                map.forEach((k, v) -> out.append(out.length() == 1 ? "" : ", ").append(quote(String.valueOf(k))).append(": ").append(json(v)));
                yield out.append('}').toString();
            }
            default -> value == Interpreter.UNDEFINED ? "null" : quote(value.toString());
        };
    }

    private static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> out.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
            }
        }
        return out.append('"').toString();
    }
}
