package io.starling.perf;

import io.starling.gguf.GgufFile;
import io.starling.tokenizer.Tokenizer;
import io.starling.tokenizer.Tokenizers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Single-thread encode throughput of the tokenizers on the llama.cpp vocab fixtures.
 * English text: the shared models README; mixed Unicode: llama.cpp's tokenizer test inputs (emoji, CJK,
 * Khmer, Cyrillic, whitespace runs). Each is repeated to about 4 MB and encoded in one call (repeated words
 * hit the per-call word cache), and the English one also as 400-byte prompts (too short for the cache:
 * every word is merged).
 *
 * <pre>
 * ./mvnw -q test-compile
 * java -cp target/classes:target/test-classes io.starling.perf.TokenizerThroughput ../shared/models
 * </pre>
 */
public final class TokenizerThroughput {
    private static final int TARGET_BYTES = 4 << 20;

    public static void main(String[] args) throws IOException {
        Path models = Path.of(args.length > 0 ? args[0] : "../shared/models");
        byte[] english = repeat(Files.readAllBytes(models.resolve("README.md")));
        byte[] mixed = repeat(Files.readAllBytes(models.resolve("vocab/ggml-vocab-gpt-2.gguf.inp")));
        System.out.printf("%-28s %-14s %10s %10s %12s%n", "vocab", "text", "MB/s", "tokens", "bytes/token");
        for (String vocab : new String[] {"ggml-vocab-gpt-2.gguf", "ggml-vocab-llama-spm.gguf", "ggml-vocab-phi-3.gguf"}) {
            Tokenizer tokenizer;
            try (GgufFile file = GgufFile.open(models.resolve("vocab").resolve(vocab))) {
                tokenizer = Tokenizers.fromMetadata(file.metadata());
            }
            measure(vocab, "English", tokenizer, english, english.length);
            measure(vocab, "mixed Unicode", tokenizer, mixed, mixed.length);
            measure(vocab, "English 400 B", tokenizer, english, 400);
        }
    }

    private static void measure(String vocab, String name, Tokenizer tokenizer, byte[] text, int chunk) {
        long deadline = System.nanoTime() + 3_000_000_000L;
        while (System.nanoTime() < deadline) {
            encodeInChunks(tokenizer, text, chunk); // warm-up
        }
        int runs = 0;
        int tokens;
        long start = System.nanoTime();
        long elapsed;
        do {
            tokens = encodeInChunks(tokenizer, text, chunk);
            runs++;
            elapsed = System.nanoTime() - start;
        } while (elapsed < 5_000_000_000L);
        double megabytes = (double) text.length * runs / 1e6;
        System.out.printf("%-28s %-14s %10.1f %10d %12.2f%n", vocab, name, megabytes / (elapsed / 1e9), tokens, (double) text.length / tokens);
    }

    /** Encodes {@code text} in pieces of {@code chunk} bytes (cut at ASCII so each piece is valid UTF-8); returns the token count. */
    private static int encodeInChunks(Tokenizer tokenizer, byte[] text, int chunk) {
        int tokens = 0;
        for (int from = 0; from < text.length; ) {
            int to = Math.min(text.length, from + chunk);
            while (to < text.length && text[to] < 0) {
                to++;
            }
            tokens += tokenizer.encode(java.util.Arrays.copyOfRange(text, from, to), false, false).size();
            from = to;
        }
        return tokens;
    }

    private static byte[] repeat(byte[] sample) {
        String text = new String(sample, StandardCharsets.UTF_8).replace("\n__ggml_vocab_test__\n", "\n");
        StringBuilder out = new StringBuilder(TARGET_BYTES + text.length());
        while (out.length() < TARGET_BYTES) {
            out.append(text);
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }
}
