package io.starling.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** BPE with the per-call word cache gives the same tokens and spans as without it. */
class WordCacheTest {
    @Test
    void cachedAndUncachedEncodingAgree() {
        Vocabulary gpt2 = TestModels.tokenizer("vocab/ggml-vocab-gpt-2.gguf").vocabulary();
        BpeEncoder alwaysCached = new BpeEncoder(gpt2, 0);
        BpeEncoder neverCached = new BpeEncoder(gpt2, Integer.MAX_VALUE);
        Random random = new Random(11);
        for (int i = 0; i < 200; i++) {
            String text = RandomText.next(random, 80, true);
            byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
            TokenSink cached = new TokenSink(16);
            TokenSink uncached = new TokenSink(16);
            alwaysCached.encode(utf8, 0, utf8.length, cached);
            neverCached.encode(utf8, 0, utf8.length, uncached);
            assertEquals(uncached.toEncodedText(utf8.length), cached.toEncodedText(utf8.length), text);
        }
    }
}
