package io.starling.batch;

import java.util.Optional;

/** The endpoints a batch line may name in its {@code url}, as the OpenAI Batch API lists them. */
public enum Endpoint {
    CHAT_COMPLETIONS("/v1/chat/completions"),
    COMPLETIONS("/v1/completions"),
    EMBEDDINGS("/v1/embeddings");

    private final String url;

    Endpoint(String url) {
        this.url = url;
    }

    public String url() {
        return url;
    }

    static Optional<Endpoint> of(String url) {
        for (Endpoint endpoint : values()) {
            if (endpoint.url.equals(url)) {
                return Optional.of(endpoint);
            }
        }
        return Optional.empty();
    }
}
