package io.starling.registry;

import io.starling.registry.source.DownloadListener;
import io.starling.registry.source.ModelCache;
import io.starling.registry.source.ModelSource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a model version's weights are on disk: the one seam between deployments and model sources. A local path or
 * {@code file:} URL is used in place (verified when a sha256 is given); an {@code http(s):} URL, which needs a
 * sha256, is downloaded into the {@link ModelCache} once and verified.
 */
final class ModelSources {

    private final ModelCache cache;

    ModelSources(ModelCache cache) {
        this.cache = cache;
    }

    /**
     * Checks that {@code source} and {@code sha256} can be used at all (a known scheme, a URL with its sha256).
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    static void validate(String source, Optional<String> sha256) {
        ModelSource.parse(source, sha256.orElse(null));
    }

    /** The verified local file of {@code source}, downloading it first if it is a URL not cached yet. */
    Path resolve(String source, Optional<String> sha256) throws IOException {
        return cache.resolve(ModelSource.parse(source, sha256.orElse(null)), DownloadListener.NONE);
    }

    /** The path of a local source (a plain path or a {@code file:} URL); empty for a download. */
    static Optional<Path> localPath(String source) {
        try {
            return ModelSource.parse(source) instanceof ModelSource.LocalFile local ? Optional.of(local.path())
                    : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
