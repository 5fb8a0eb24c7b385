package io.starling.tokenizer;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A pre-tokenizer regex run the way llama.cpp runs the ones it has no scanner for: every non-ASCII
 * code point is replaced by one stand-in char per class (whitespace → U+000B, number → U+00D1,
 * letter → U+00D2, punctuation → U+00D3, mark → U+00D4, symbol → U+00D5, anything else → U+00D0), and
 * each {@code \p{…}} in the pattern by a class of its stand-in plus its ASCII members. Matching the
 * collapsed text then cuts exactly where llama.cpp's {@code std::regex} does; text between matches
 * becomes pieces of its own.
 */
final class CollapsedRegexSplit implements SplitStage {
    private static final Map<String, String> CATEGORY_MEMBERS = Map.of(
            "N", "\\x{D1}0-9",
            "L", "\\x{D2}A-Za-z",
            "Lu", "\\x{D2}A-Za-z",
            "Ll", "\\x{D2}A-Za-z",
            "Lt", "\\x{D2}A-Za-z",
            "Lm", "\\x{D2}A-Za-z",
            "Lo", "\\x{D2}A-Za-z",
            "P", "\\x{D3}!-#%-*,-/:-;?-@\\[-\\]_\\{\\}",
            "M", "\\x{D4}",
            "S", "\\x{D5}\\$\\+<->\\^`\\|");

    private final Pattern pattern;

    CollapsedRegexSplit(String llamaCppRegex) {
        this.pattern = Pattern.compile(collapse(llamaCppRegex));
    }

    static String collapse(String regex) {
        StringBuilder out = new StringBuilder(regex.length() * 2);
        boolean insideClass = false;
        for (int i = 0; i < regex.length(); i++) {
            char c = regex.charAt(i);
            if (c >= 128) {
                throw new TokenizerException("pre-tokenizer regex mixes Unicode classes and non-ASCII text: " + regex);
            }
            boolean escaped = i > 0 && regex.charAt(i - 1) == '\\';
            if (c == '[' && !escaped) {
                insideClass = true;
                out.append(c);
                continue;
            }
            if (c == ']' && insideClass && !escaped) {
                insideClass = false;
                out.append(c);
                continue;
            }
            if (c == '\\' && regex.startsWith("\\p{", i)) {
                int close = regex.indexOf('}', i + 3);
                String members = close < 0 ? null : CATEGORY_MEMBERS.get(regex.substring(i + 3, close));
                if (members != null) {
                    out.append(insideClass ? members : "[" + members + "]");
                    i = close;
                    continue;
                }
            }
            out.append(c);
        }
        return out.toString();
    }

    @Override
    public void split(CodepointText text, int from, int to, IntList pieceLengths) {
        Matcher matcher = pattern.matcher(text.collapsed());
        matcher.region(from, to);
        int last = from;
        while (matcher.find()) {
            if (matcher.start() > last) {
                pieceLengths.add(matcher.start() - last);
            }
            if (matcher.end() > matcher.start()) {
                pieceLengths.add(matcher.end() - matcher.start());
            }
            last = matcher.end();
        }
        if (last < to) {
            pieceLengths.add(to - last);
        }
    }
}
