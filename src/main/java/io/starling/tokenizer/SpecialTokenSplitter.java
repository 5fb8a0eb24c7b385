package io.starling.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Cuts the input at occurrences of special-token texts before the model tokenizer runs, as llama.cpp's
 * {@code tokenizer_st_partition}: longest token texts first, leftmost occurrence first. Control and
 * unknown tokens are matched only when special parsing is on; user-defined tokens always are (they
 * are ordinary added vocabulary, as in Hugging Face tokenizers). Tokens marked lstrip/rstrip swallow
 * adjacent ASCII whitespace, which then belongs to the special token's span.
 */
final class SpecialTokenSplitter {
    /** A piece of the input: raw text {@code [start, end)} when {@code tokenId < 0}, else one special token. */
    record Fragment(int tokenId, int start, int end) {
        boolean isText() {
            return tokenId < 0;
        }
    }

    private final int[] ids;
    private final byte[][] texts;
    private final int[] attrs;
    private final boolean anyUserDefined;

    SpecialTokenSplitter(Vocabulary vocab) {
        List<Integer> candidates = new ArrayList<>();
        for (int id = 0; id < vocab.size(); id++) {
            if ((vocab.attr(id) & (TokenAttr.CONTROL | TokenAttr.USER_DEFINED | TokenAttr.UNKNOWN)) != 0) {
                candidates.add(id);
            }
        }
        byte[][] allTexts = new byte[vocab.size()][];
        for (int id : candidates) {
            allTexts[id] = vocab.token(id).getBytes(StandardCharsets.UTF_8);
        }
        candidates.sort(Comparator.<Integer>comparingInt(id -> -allTexts[id].length).thenComparingInt(id -> id));
        this.ids = candidates.stream().mapToInt(Integer::intValue).toArray();
        this.texts = new byte[ids.length][];
        this.attrs = new int[ids.length];
        boolean userDefined = false;
        for (int i = 0; i < ids.length; i++) {
            texts[i] = allTexts[ids[i]];
            attrs[i] = vocab.attr(ids[i]);
            userDefined |= !isParsedOnlyOnRequest(attrs[i]);
        }
        this.anyUserDefined = userDefined;
    }

    private static boolean isParsedOnlyOnRequest(int attr) {
        return (attr & (TokenAttr.CONTROL | TokenAttr.UNKNOWN)) != 0;
    }

    List<Fragment> split(byte[] input, int from, int to, boolean parseSpecial) {
        List<Fragment> fragments = new ArrayList<>();
        if (from == to) {
            return fragments;
        }
        fragments.add(new Fragment(-1, from, to));
        if (!parseSpecial && !anyUserDefined) {
            return fragments;
        }
        for (int t = 0; t < ids.length; t++) {
            if (!parseSpecial && isParsedOnlyOnRequest(attrs[t])) {
                continue;
            }
            List<Fragment> next = new ArrayList<>(fragments.size() + 2);
            for (Fragment fragment : fragments) {
                if (fragment.isText()) {
                    cut(input, fragment.start(), fragment.end(), t, next);
                } else {
                    next.add(fragment);
                }
            }
            fragments = next;
        }
        return fragments;
    }

    private void cut(byte[] input, int from, int to, int t, List<Fragment> out) {
        byte[] text = texts[t];
        int pos = from;
        while (pos < to) {
            int match = indexOf(input, text, pos, to);
            if (match < 0) {
                break;
            }
            int leftEnd = match;
            if ((attrs[t] & TokenAttr.LSTRIP) != 0) {
                while (leftEnd > pos && isSpace(input[leftEnd - 1])) {
                    leftEnd--;
                }
            }
            if (leftEnd > pos) {
                out.add(new Fragment(-1, pos, leftEnd));
            }
            int tokenEnd = match + text.length;
            if ((attrs[t] & TokenAttr.RSTRIP) != 0) {
                while (tokenEnd < to && isSpace(input[tokenEnd])) {
                    tokenEnd++;
                }
            }
            out.add(new Fragment(ids[t], leftEnd, tokenEnd));
            pos = tokenEnd;
        }
        if (pos < to) {
            out.add(new Fragment(-1, pos, to));
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from, int to) {
        byte first = needle[0];
        for (int i = from, last = to - needle.length; i <= last; i++) {
            if (haystack[i] == first && Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        return -1;
    }

    /** C's isspace in the "C" locale, which is what llama.cpp strips with. */
    private static boolean isSpace(byte b) {
        return b == ' ' || (b >= 0x09 && b <= 0x0D);
    }
}
