package io.starling.api.openai;

import io.starling.api.error.ApiException;

/** The {@code limit} query parameter of OpenAI's list endpoints. */
final class Limits {

    private Limits() {
    }

    /** {@code limit}, or {@code fallback} when absent; 400 outside 1..{@code max}. */
    static int of(Integer limit, int fallback, int max) {
        if (limit == null) {
            return fallback;
        }
        if (limit < 1 || limit > max) {
            throw ApiException.invalid("limit", "limit must be between 1 and " + max + ", got " + limit);
        }
        return limit;
    }
}
