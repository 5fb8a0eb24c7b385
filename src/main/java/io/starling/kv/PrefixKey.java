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
