package io.starling.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The per-call word cache changes nothing: same tokens and spans with and without it, BPE and SPM. */
class WordCacheTest {
    @Test
    void bpeCachedAndUncachedAgree() {
        BpeEncoder bpe = new BpeEncoder(TestTokenizers.tokenizer("vocab/ggml-vocab-gpt-2.gguf").vocabulary());
        Random random = new Random(11);
        for (int i = 0; i < 200; i++) {
            byte[] utf8 = RandomText.next(random, 80, true).getBytes(StandardCharsets.UTF_8);
            TokenSink cached = new TokenSink(16);
            TokenSink uncached = new TokenSink(16);
            WordCache cache = new WordCache();
            bpe.encode(utf8, 0, utf8.length / 2, cached, cache); // the cache carries over between fragments
            bpe.encode(utf8, utf8.length / 2, utf8.length, cached, cache);
            bpe.encode(utf8, 0, utf8.length / 2, uncached, null);
            bpe.encode(utf8, utf8.length / 2, utf8.length, uncached, null);
            assertEquals(uncached.toEncodedText(utf8.length), cached.toEncodedText(utf8.length));
        }
    }

    @Test
    void spmCachedAndUncachedAgree() {
        SpmEncoder spm = new SpmEncoder(TestTokenizers.tokenizer("vocab/ggml-vocab-llama-spm.gguf").vocabulary());
        Random random = new Random(12);
        for (int i = 0; i < 200; i++) {
            byte[] utf8 = RandomText.next(random, 80, false).getBytes(StandardCharsets.UTF_8);
            TokenSink cached = new TokenSink(16);
            TokenSink uncached = new TokenSink(16);
            WordCache cache = new WordCache();
            spm.encode(utf8, 0, utf8.length / 2, true, cached, cache);
            spm.encode(utf8, utf8.length / 2, utf8.length, false, cached, cache);
            spm.encode(utf8, 0, utf8.length / 2, true, uncached, null);
            spm.encode(utf8, utf8.length / 2, utf8.length, false, uncached, null);
            assertEquals(uncached.toEncodedText(utf8.length), cached.toEncodedText(utf8.length));
        }
    }
}
