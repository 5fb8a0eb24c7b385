package io.starling.kv;

import java.util.Arrays;

/**
 * What a full page holds, as the prefix cache looks it up: the page before it (by identity and generation, so
 * the whole chain of earlier pages is implied) and this page's own tokens. It plays the part of vLLM's block hash
 * chain, but compares exactly: two prompts can only share a page when every token before and in it is equal, so a
 * hash collision can never hand one sequence another's keys and values. A page's generation changes whenever its
 * content may change (it is freed, reallocated or truncated), which retires every key naming it as parent.
 */
final class PrefixKey {

    /** The parent of a sequence's first page. */
    static final int ROOT = -1;

    private final int parentPage;
    private final int parentGeneration;
    private final int[] tokens;
    private final int hash;

    PrefixKey(int parentPage, int parentGeneration, int[] tokens) {
        this.parentPage = parentPage;
        this.parentGeneration = parentGeneration;
        this.tokens = tokens;
        this.hash = 31 * (31 * parentPage + parentGeneration) + Arrays.hashCode(tokens);
    }

    /** The page before this one, with its generation, as one value: the key {@link PrefixCache} groups pages by. */
    long parent() {
        return parentOf(parentPage, parentGeneration);
    }

    static long parentOf(int page, int generation) {
        return (long) page << 32 | (generation & 0xffffffffL);
    }

    /** How many of this page's leading tokens equal {@code source[from ..]}, counting at most {@code max}. */
    int commonStart(int[] source, int from, int max) {
        int n = Math.min(max, Math.min(tokens.length, source.length - from));
        int i = 0;
        while (i < n && tokens[i] == source[from + i]) {
            i++;
        }
        return i;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PrefixKey other && other.hash == hash && other.parentPage == parentPage
                && other.parentGeneration == parentGeneration && Arrays.equals(other.tokens, tokens);
    }

    @Override
    public int hashCode() {
        return hash;
    }
}
