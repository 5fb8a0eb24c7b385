package io.starling.tokenizer.jinja;

import java.util.ArrayList;
import java.util.List;

/** A token of a Jinja expression or statement. */
record Token(Type type, String text, Object value) {
    enum Type { NAME, STRING, NUMBER, OPERATOR, END }

    boolean is(String operatorOrName) {
        return (type == Type.OPERATOR || type == Type.NAME) && text.equals(operatorOrName);
    }

    private static final String[] OPERATORS = {
            "==", "!=", "<=", ">=", "//", "**", "+", "-", "*", "/", "%", "~", "<", ">", "=", "(", ")", "[", "]",
            "{", "}", ".", ",", ":", "|"};

    static List<Token> tokenize(String source, int line) {
        List<Token> tokens = new ArrayList<>();
        int i = 0;
        while (i < source.length()) {
            char c = source.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (Character.isLetter(c) || c == '_') {
                int start = i;
                while (i < source.length() && (Character.isLetterOrDigit(source.charAt(i)) || source.charAt(i) == '_')) {
                    i++;
                }
                tokens.add(new Token(Type.NAME, source.substring(start, i), null));
            } else if (Character.isDigit(c)) {
                int start = i;
                while (i < source.length() && Character.isDigit(source.charAt(i))) {
                    i++;
                }
                boolean fraction = i + 1 < source.length() && source.charAt(i) == '.' && Character.isDigit(source.charAt(i + 1));
                if (fraction) {
                    i++;
                    while (i < source.length() && Character.isDigit(source.charAt(i))) {
                        i++;
                    }
                }
                String number = source.substring(start, i);
                tokens.add(new Token(Type.NUMBER, number, fraction ? (Object) Double.parseDouble(number) : (Object) Long.parseLong(number)));
            } else if (c == '\'' || c == '"') {
                StringBuilder value = new StringBuilder();
                int j = i + 1;
                while (j < source.length() && source.charAt(j) != c) {
                    char ch = source.charAt(j);
                    if (ch == '\\' && j + 1 < source.length()) {
                        char escaped = source.charAt(++j);
                        value.append(switch (escaped) {
                            case 'n' -> '\n';
                            case 't' -> '\t';
                            case 'r' -> '\r';
                            default -> escaped;
                        });
                    } else {
                        value.append(ch);
                    }
                    j++;
                }
                if (j >= source.length()) {
                    throw new TemplateException("unterminated string at line " + line);
                }
                tokens.add(new Token(Type.STRING, source.substring(i, j + 1), value.toString()));
                i = j + 1;
            } else {
                String operator = null;
                for (String candidate : OPERATORS) {
                    if (source.startsWith(candidate, i)) {
                        operator = candidate;
                        break;
                    }
                }
                if (operator == null) {
                    throw new TemplateException("unexpected character '" + c + "' at line " + line);
                }
                tokens.add(new Token(Type.OPERATOR, operator, null));
                i += operator.length();
            }
        }
        tokens.add(new Token(Type.END, "<end>", null));
        return tokens;
    }
}
