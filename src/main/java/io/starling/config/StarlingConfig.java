package io.starling.config;

import io.smallrye.config.ConfigMapping;
import java.nio.file.Path;
import java.util.Optional;

/** Starling's settings under {@code starling.*}; each is also an env var (starling.model = STARLING_MODEL). */
@ConfigMapping(prefix = "starling")
public interface StarlingConfig {

    /** The GGUF file to serve. Absent: the embedded stories260K model, so a fresh install answers at once. */
    Optional<Path> model();

    /** The id clients use for the model; defaults to the file name without {@code .gguf}. */
    Optional<String> modelName();
}
