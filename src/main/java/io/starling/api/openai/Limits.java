package io.starling.api.openai;

import io.starling.api.error.ApiException;

/** The {@code limit} query parameter of OpenAI's list endpoints. */
final class Limits {

    private Limits() {
    }

    /**
     * {@code limit}, or {@code fallback} when absent; 400 when it is no integer in 1..{@code max}. Taken as text: a
     * JAX-RS integer parameter that does not parse is answered 404, as if the route did not exist.
     */
    static int of(String limit, int fallback, int max) {
        if (limit == null) {
            return fallback;
        }
        int value;
        try {
            value = Integer.parseInt(limit.strip());
        } catch (NumberFormatException e) {
            value = 0;
        }
        if (value < 1 || value > max) {
            throw ApiException.invalid("limit", "limit must be an integer between 1 and " + max + ", got '" + limit + "'");
        }
        return value;
    }
}
