package io.starling.security;

import io.quarkus.logging.Log;
import io.starling.config.StarlingConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The accepted API keys, from {@code starling.auth.api-keys} and {@code starling.auth.api-keys-file}. A presented
 * key is compared with every accepted key in constant time, so response timing reveals nothing about how much of a
 * key was right. Each key has an id, {@code key-} and the first 12 hex digits of its SHA-256: the tenant name in
 * logs and rate limits, which identifies the key to its owner without revealing it.
 */
public final class ApiKeys {

    private static final int ID_HEX_DIGITS = 12;
    private static final String BEARER = "Bearer ";

    private final List<byte[]> keys;
    private final List<String> ids;

    ApiKeys(List<String> keys) {
        this.keys = keys.stream().map(String::strip).filter(k -> !k.isEmpty())
                .map(k -> k.getBytes(StandardCharsets.UTF_8)).toList();
        this.ids = this.keys.stream().map(ApiKeys::id).toList();
    }

    static ApiKeys from(StarlingConfig.Auth auth) {
        ApiKeys apiKeys = usersFrom(auth);
        if (!apiKeys.required()) {
            Log.warn("no API keys configured (starling.auth.api-keys / STARLING_AUTH_API_KEYS): the API is open to anyone who can reach it");
        }
        return apiKeys;
    }

    /** The API users' keys, as {@link #from} reads them, without its warning about an open API. */
    static ApiKeys usersFrom(StarlingConfig.Auth auth) {
        return load(auth.apiKeys(), auth.apiKeysFile(), "starling.auth.api-keys-file");
    }

    /** The admin API's keys ({@code starling.auth.admin-keys} and {@code admin-keys-file}). */
    static ApiKeys adminFrom(StarlingConfig.Auth auth) {
        return load(auth.adminKeys(), auth.adminKeysFile(), "starling.auth.admin-keys-file");
    }

    private static ApiKeys load(Optional<List<String>> listed, Optional<Path> file, String fileSetting) {
        List<String> keys = new ArrayList<>(listed.orElse(List.of()));
        file.ifPresent(path -> {
            try {
                Files.readAllLines(path, StandardCharsets.UTF_8).stream()
                        .map(String::strip).filter(line -> !line.isEmpty() && !line.startsWith("#")).forEach(keys::add);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + fileSetting + " " + path + ": " + e.getMessage(), e);
            }
        });
        return new ApiKeys(keys);
    }

    /** The key of an {@code Authorization: Bearer KEY} header (any case of "Bearer"), or null for any other header. */
    static String bearerKey(String header) {
        return header != null && header.regionMatches(true, 0, BEARER, 0, BEARER.length())
                ? header.substring(BEARER.length()).strip() : null;
    }

    /** Whether requests must present a key at all. */
    boolean required() {
        return !keys.isEmpty();
    }

    /** True when {@code presented} equals one of the keys. */
    boolean accepts(String presented) {
        return idOf(presented) != null;
    }

    /** The id of the key {@code presented} equals, or null; every key is compared, whatever matches first. */
    String idOf(String presented) {
        byte[] candidate = presented.getBytes(StandardCharsets.UTF_8);
        int match = -1;
        for (int i = 0; i < keys.size(); i++) {
            if (MessageDigest.isEqual(keys.get(i), candidate)) {
                match = i;
            }
        }
        return match < 0 ? null : ids.get(match);
    }

    private static String id(byte[] key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key);
            return "key-" + HexFormat.of().formatHex(digest).substring(0, ID_HEX_DIGITS);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
