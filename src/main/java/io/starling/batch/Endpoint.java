package io.starling.batch;

import java.util.Optional;

/**
 * The endpoints a batch line may name in its {@code url}: those the OpenAI Batch API lists, and Starling's
 * pipelines ({@code /v1/pipelines/{name}}, the name after the prefix).
 */
public enum Endpoint {
    CHAT_COMPLETIONS("/v1/chat/completions"),
    COMPLETIONS("/v1/completions"),
    EMBEDDINGS("/v1/embeddings"),
    PIPELINES("/v1/pipelines/");

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
        if (url != null && url.startsWith(PIPELINES.url) && url.length() > PIPELINES.url.length()) {
            return Optional.of(PIPELINES);
        }
        return Optional.empty();
    }
}
