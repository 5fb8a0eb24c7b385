package io.starling.tokenizer.jinja;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits template source into text, {@code {{ }}} and {@code {% %}} segments, applying Jinja's whitespace
 * control the way Hugging Face renders chat templates: {@code trim_blocks} (a newline right after a block
 * tag is dropped), {@code lstrip_blocks} (spaces and tabs before a block tag on its line are dropped)
 * and the explicit {@code -} markers. Comments are removed.
 */
final class Lexer {
    enum Kind { TEXT, EXPRESSION, STATEMENT }

    record Segment(Kind kind, String content, int line) {
    }

    private Lexer() {
    }

    static List<Segment> segments(String source) {
        List<Segment> out = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        int pos = 0;
        boolean trimNextNewline = false;
        boolean stripNextWhitespace = false;
        while (pos < source.length()) {
            int open = nextTag(source, pos);
            String chunk = source.substring(pos, open < 0 ? source.length() : open);
            if (stripNextWhitespace) {
                chunk = chunk.stripLeading();
            } else if (trimNextNewline && chunk.startsWith("\n")) {
                chunk = chunk.substring(1);
            } else if (trimNextNewline && chunk.startsWith("\r\n")) {
                chunk = chunk.substring(2);
            }
            text.append(chunk);
            if (open < 0) {
                break;
            }
            char type = source.charAt(open + 1);
            String close = type == '{' ? "}}" : type == '%' ? "%}" : "#}";
            int end = source.indexOf(close, open + 2);
            if (end < 0) {
                throw new TemplateException("unclosed '" + source.substring(open, open + 2) + "' at line " + line(source, open));
            }
            int contentStart = open + 2;
            int contentEnd = end;
            boolean stripBefore = contentStart < contentEnd && source.charAt(contentStart) == '-';
            boolean keepBefore = contentStart < contentEnd && source.charAt(contentStart) == '+';
            boolean stripAfter = contentEnd > contentStart && source.charAt(contentEnd - 1) == '-';
            if (stripBefore || keepBefore) {
                contentStart++;
            }
            if (stripAfter) {
                contentEnd--;
            }
            if (stripBefore) {
                trimTrailingWhitespace(text);
            } else if (type != '{' && !keepBefore) {
                lstripBlock(text, source, open);
            }
            if (type != '#') {
                if (!text.isEmpty()) {
                    out.add(new Segment(Kind.TEXT, text.toString(), line(source, open)));
                    text.setLength(0);
                }
                out.add(new Segment(type == '{' ? Kind.EXPRESSION : Kind.STATEMENT,
                        source.substring(contentStart, Math.max(contentStart, contentEnd)).strip(), line(source, open)));
            }
            stripNextWhitespace = stripAfter;
            trimNextNewline = type != '{';
            pos = end + 2;
        }
        if (!text.isEmpty()) {
            out.add(new Segment(Kind.TEXT, text.toString(), line(source, source.length())));
        }
        return out;
    }

    private static int nextTag(String source, int from) {
        for (int i = source.indexOf('{', from); i >= 0 && i + 1 < source.length(); i = source.indexOf('{', i + 1)) {
            char next = source.charAt(i + 1);
            if (next == '{' || next == '%' || next == '#') {
                return i;
            }
        }
        return -1;
    }

    private static void trimTrailingWhitespace(StringBuilder text) {
        int end = text.length();
        while (end > 0 && Character.isWhitespace(text.charAt(end - 1))) {
            end--;
        }
        text.setLength(end);
    }

    /** Drops the spaces and tabs before a block tag when nothing else precedes it on its line. */
    private static void lstripBlock(StringBuilder text, String source, int tag) {
        int i = tag;
        while (i > 0 && (source.charAt(i - 1) == ' ' || source.charAt(i - 1) == '\t')) {
            i--;
        }
        if (i > 0 && source.charAt(i - 1) != '\n') {
            return;
        }
        int blanks = tag - i;
        int end = text.length();
        while (blanks > 0 && end > 0 && (text.charAt(end - 1) == ' ' || text.charAt(end - 1) == '\t')) {
            end--;
            blanks--;
        }
        text.setLength(end);
    }

    private static int line(String source, int index) {
        int line = 1;
        for (int i = 0; i < index && i < source.length(); i++) {
            if (source.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }
}
