package io.starling.registry.source;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/** A model file in the cache, with what its metadata sidecar recorded at download time (absent for a file put there by hand). */
public record CachedModel(Sha256 sha256, Path file, long size, Optional<String> url, Optional<Instant> downloadedAt) {
}
