package io.starling.registry.source;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * The sidecar {@code <sha256>.json} beside a cached {@code <sha256>.gguf}: where the file came from, its size and
 * when it arrived. It is written before the model file is renamed into place, so a model file whose sidecar
 * records its size was verified by this cache; one without (copied in by hand) is hashed once before use.
 */
final class CacheEntryFile {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The JSON form. */
    record Entry(@JsonProperty("sha256") String sha256, @JsonProperty("url") String url, @JsonProperty("size") long size,
                 @JsonProperty("downloaded_at") String downloadedAt) {
    }

    private CacheEntryFile() {
    }

    static Path of(Path modelFile, Sha256 sha256) {
        return modelFile.resolveSibling(sha256.hex() + ".json");
    }

    static void write(Path sidecar, Sha256 sha256, String url, long size, Instant at) throws IOException {
        AtomicFiles.write(sidecar, JSON.writerWithDefaultPrettyPrinter()
                .writeValueAsBytes(new Entry(sha256.hex(), url, size, at.toString())));
    }

    /** The recorded entry, or empty when there is none or it cannot be read (then the file is simply re-verified). */
    static Optional<Entry> read(Path sidecar) {
        try {
            Entry entry = JSON.readValue(Files.readAllBytes(sidecar), Entry.class);
            return Optional.ofNullable(entry);
        } catch (IOException missingOrDamaged) {
            return Optional.empty();
        }
    }
}
