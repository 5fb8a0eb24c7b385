package io.starling.tokenizer;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Finds ../shared/models (system property {@code starling.test.models} or env {@code STARLING_TEST_MODELS})
 * and reads the tokenizer metadata of its GGUF files. Tests skip with a clear message without them.
 */
final class TestModels {
    private TestModels() {
    }

    static Path dir() {
        String configured = System.getProperty("starling.test.models", System.getenv("STARLING_TEST_MODELS"));
        assumeTrue(configured != null, "shared models not configured: set -Dstarling.test.models or STARLING_TEST_MODELS");
        Path dir = Path.of(configured);
        assumeTrue(Files.isDirectory(dir), "shared models directory " + dir.toAbsolutePath() + " is absent");
        return dir;
    }

    static Path file(String relative) {
        Path path = dir().resolve(relative);
        assumeTrue(Files.isRegularFile(path), "shared model file " + path + " is absent");
        return path;
    }

    static Tokenizer tokenizer(String relative) {
        return Tokenizers.fromVocabulary(vocabulary(metadata(file(relative))));
    }

    static Vocabulary vocabulary(Map<String, Object> kv) {
        Vocabulary.Builder builder = Vocabulary.builder(
                        Vocabulary.Model.fromGguf((String) kv.get("tokenizer.ggml.model")),
                        (String[]) kv.get("tokenizer.ggml.tokens"))
                .scores((float[]) kv.get("tokenizer.ggml.scores"))
                .tokenTypes((int[]) kv.get("tokenizer.ggml.token_type"))
                .merges((String[]) kv.get("tokenizer.ggml.merges"))
                .preTokenizer((String) kv.get("tokenizer.ggml.pre"))
                .modelName((String) kv.get("general.name"))
                .bos(intOrNull(kv.get("tokenizer.ggml.bos_token_id")))
                .eos(intOrNull(kv.get("tokenizer.ggml.eos_token_id")))
                .unk(intOrNull(kv.get("tokenizer.ggml.unknown_token_id")))
                .pad(intOrNull(kv.get("tokenizer.ggml.padding_token_id")))
                .addBos((Boolean) kv.get("tokenizer.ggml.add_bos_token"))
                .addEos((Boolean) kv.get("tokenizer.ggml.add_eos_token"));
        return builder.build();
    }

    private static Integer intOrNull(Object value) {
        return value == null ? null : ((Number) value).intValue();
    }

    /** GGUF key/values only; arrays of strings, floats and int32 become Java arrays. */
    static Map<String, Object> metadata(Path path) {
        try {
            ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(path)).order(ByteOrder.LITTLE_ENDIAN);
            if (buf.getInt() != 0x46554747) {
                throw new IOException(path + " is not GGUF");
            }
            buf.getInt();
            buf.getLong();
            long count = buf.getLong();
            Map<String, Object> kv = new LinkedHashMap<>();
            for (long i = 0; i < count; i++) {
                String key = string(buf);
                kv.put(key, value(buf, buf.getInt()));
            }
            return kv;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Object value(ByteBuffer buf, int type) {
        return switch (type) {
            case 0 -> buf.get() & 0xFF;
            case 1 -> (int) buf.get();
            case 2 -> buf.getShort() & 0xFFFF;
            case 3 -> (int) buf.getShort();
            case 4 -> (long) buf.getInt() & 0xFFFFFFFFL;
            case 5 -> buf.getInt();
            case 6 -> buf.getFloat();
            case 7 -> buf.get() != 0;
            case 8 -> string(buf);
            case 9 -> array(buf);
            case 10, 11 -> buf.getLong();
            case 12 -> buf.getDouble();
            default -> throw new IllegalStateException("GGUF type " + type);
        };
    }

    private static Object array(ByteBuffer buf) {
        int type = buf.getInt();
        int n = Math.toIntExact(buf.getLong());
        switch (type) {
            case 8 -> {
                String[] values = new String[n];
                for (int i = 0; i < n; i++) {
                    values[i] = string(buf);
                }
                return values;
            }
            case 6 -> {
                float[] values = new float[n];
                for (int i = 0; i < n; i++) {
                    values[i] = buf.getFloat();
                }
                return values;
            }
            case 5 -> {
                int[] values = new int[n];
                for (int i = 0; i < n; i++) {
                    values[i] = buf.getInt();
                }
                return values;
            }
            default -> {
                Object[] values = new Object[n];
                for (int i = 0; i < n; i++) {
                    values[i] = value(buf, type);
                }
                return values;
            }
        }
    }

    private static String string(ByteBuffer buf) {
        byte[] bytes = new byte[Math.toIntExact(buf.getLong())];
        buf.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
