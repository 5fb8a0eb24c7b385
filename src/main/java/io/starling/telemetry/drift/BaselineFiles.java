package io.starling.telemetry.drift;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Baselines as one small JSON file per series in a directory, {@code <model>@<pipeline>@<signal>.json} (names
 * URL-encoded, which encodes {@code @} too, so the three parts cannot run together and a model id with {@code /} or
 * {@code :} is still one plain file name), holding
 * {@code {"model","pipeline","signal","counts":{category: count}}}. Written to a temporary file and moved into
 * place, so a crash never leaves half a baseline; delete a file to collect a new reference on the next start.
 */
public final class BaselineFiles implements BaselineStore {

    private static final TypeReference<Map<String, Object>> JSON_OBJECT = new TypeReference<>() {
    };

    private final Path directory;
    private final ObjectMapper json = new ObjectMapper();

    public BaselineFiles(Path directory) {
        this.directory = directory;
    }

    Path file(DriftKey key) {
        return directory.resolve(encode(key.model()) + "@" + encode(key.pipeline()) + "@" + key.signal().tag()
                + ".json");
    }

    @Override
    public Optional<Map<String, Long>> load(DriftKey key) throws IOException {
        Path file = file(key);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        Map<String, Object> saved = json.readValue(file.toFile(), JSON_OBJECT);
        if (!(saved.get("counts") instanceof Map<?, ?> counts)) {
            throw new IOException(file + " has no \"counts\" object");
        }
        Map<String, Long> reference = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : counts.entrySet()) {
            if (!(entry.getValue() instanceof Number count) || count.longValue() < 0) {
                throw new IOException(file + ": count of \"" + entry.getKey() + "\" is not a non-negative number");
            }
            reference.put(entry.getKey().toString(), count.longValue());
        }
        return Optional.of(reference);
    }

    @Override
    public void save(DriftKey key, Map<String, Long> reference) throws IOException {
        Files.createDirectories(directory);
        Map<String, Object> content = new LinkedHashMap<>();
        content.put("model", key.model());
        content.put("pipeline", key.pipeline());
        content.put("signal", key.signal().tag());
        content.put("counts", reference);
        Path target = file(key);
        Path temporary = Files.createTempFile(directory, target.getFileName().toString(), ".tmp");
        try {
            json.writerWithDefaultPrettyPrinter().writeValue(temporary.toFile(), content);
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    private static String encode(String name) {
        return URLEncoder.encode(name, StandardCharsets.UTF_8);
    }
}
