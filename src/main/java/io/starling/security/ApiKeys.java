package io.starling.security;

import io.quarkus.logging.Log;
import io.starling.config.StarlingConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * The accepted API keys, from {@code starling.auth.api-keys} and {@code starling.auth.api-keys-file}. A presented
 * key is compared with every accepted key in constant time, so response timing reveals nothing about how much of a
 * key was right.
 */
public final class ApiKeys {

    private final List<byte[]> keys;

    ApiKeys(List<String> keys) {
        this.keys = keys.stream().map(String::strip).filter(k -> !k.isEmpty())
                .map(k -> k.getBytes(StandardCharsets.UTF_8)).toList();
    }

    static ApiKeys from(StarlingConfig.Auth auth) {
        List<String> keys = new ArrayList<>(auth.apiKeys().orElse(List.of()));
        auth.apiKeysFile().ifPresent(file -> {
            try {
                Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                        .map(String::strip).filter(line -> !line.isEmpty() && !line.startsWith("#")).forEach(keys::add);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read starling.auth.api-keys-file " + file + ": " + e.getMessage(), e);
            }
        });
        ApiKeys apiKeys = new ApiKeys(keys);
        if (!apiKeys.required()) {
            Log.warn("no API keys configured (starling.auth.api-keys / STARLING_AUTH_API_KEYS): the API is open to anyone who can reach it");
        }
        return apiKeys;
    }

    /** Whether requests must present a key at all. */
    boolean required() {
        return !keys.isEmpty();
    }

    /** True when {@code presented} equals one of the keys; every key is compared, whatever matches first. */
    boolean accepts(String presented) {
        byte[] candidate = presented.getBytes(StandardCharsets.UTF_8);
        boolean match = false;
        for (byte[] key : keys) {
            match |= MessageDigest.isEqual(key, candidate);
        }
        return match;
    }
}
