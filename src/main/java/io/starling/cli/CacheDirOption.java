package io.starling.cli;

import io.starling.registry.source.ModelCache;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The model cache directory of the commands that use it. */
final class CacheDirOption {

    @Option(names = "--cache-dir", paramLabel = "DIR",
            description = "The model cache (default: $" + ModelCache.CACHE_ENV + ", else ~/.starling/models).")
    Path dir;

    ModelCache cache() {
        return new ModelCache(dir != null ? dir : ModelCache.defaultDir());
    }
}
