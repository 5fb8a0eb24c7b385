package io.starling.api.inference;

import io.starling.api.error.ApiException;

/** How many tokens a request may generate given its prompt and the model's context. */
public final class TokenBudget {

    private TokenBudget() {
    }

    /**
     * @param requested     max_tokens as sent, or null
     * @param maxParam      the field's name, for the error
     * @param promptParam   the prompt field's name (messages, prompt), for context_length_exceeded
     * @param defaultTokens what an absent max_tokens means; -1: the rest of the context
     */
    public static int maxTokens(Integer requested, String maxParam, String promptParam, int promptTokens, int context,
                                int defaultTokens) {
        if (requested != null && requested < 0) {
            throw ApiException.invalid(maxParam, maxParam + " must be >= 0, got " + requested);
        }
        int room = context - promptTokens;
        if (requested == null) {
            if (room <= 0) {
                throw ApiException.contextLengthExceeded(promptParam, promptTokens, 1, context);
            }
            return defaultTokens < 0 ? room : Math.min(defaultTokens, room);
        }
        if ((long) promptTokens + requested > context || (requested > 0 && room <= 0)) {
            throw ApiException.contextLengthExceeded(promptParam, promptTokens, requested, context);
        }
        return requested;
    }
}
