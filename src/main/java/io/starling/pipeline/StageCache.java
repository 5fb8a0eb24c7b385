package io.starling.pipeline;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Results of cacheable stages by content hash: SHA-256 of the model version, the pipeline's definition, the stage's
 * place in it and the carry's input and text. Bounded LRU-like (Caffeine's W-TinyLFU) by the results' approximate
 * heap size, so long embeddings and short labels share one honest budget.
 */
public final class StageCache {

    private final Cache<String, StageResult> cache;

    /** A cache of at most about {@code maxBytes} of results; 0 caches nothing. */
    public StageCache(long maxBytes) {
        this.cache = Caffeine.newBuilder().maximumWeight(maxBytes)
                .weigher((String key, StageResult result) -> (int) Math.min(Integer.MAX_VALUE,
                        2L * key.length() + result.approximateBytes()))
                .executor(Runnable::run) // evict on the caller's thread: no background work on a small machine
                .build();
    }

    StageResult get(String key) {
        return cache.getIfPresent(key);
    }

    void put(String key, StageResult result) {
        cache.put(key, result);
    }

    /** Entries held now. */
    public long size() {
        cache.cleanUp();
        return cache.estimatedSize();
    }

    /** The key of stage {@code index} of {@code spec} on {@code carry}, for model version {@code modelVersion}. */
    static String key(String modelVersion, PipelineSpec spec, int index, Carry carry) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        // each part length-prefixed, so no two different tuples hash the same bytes
        for (String part : new String[] {modelVersion, spec.toString(), Integer.toString(index), carry.input(), carry.text()}) {
            byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
            sha.update(Integer.toString(bytes.length).getBytes(StandardCharsets.US_ASCII));
            sha.update((byte) ':');
            sha.update(bytes);
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
