package io.starling.api.inference;

import java.util.UUID;

/** Response ids in OpenAI's shape ({@code chatcmpl-…}, {@code cmpl-…}) and the {@code created} timestamp. */
public final class Ids {

    private Ids() {
    }

    public static String of(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "");
    }

    public static long nowSeconds() {
        return System.currentTimeMillis() / 1000;
    }
}
