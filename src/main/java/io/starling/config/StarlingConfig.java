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

    /** How the compute kernels run. */
    Kernels vector();

    interface Kernels {
        /**
         * Vector width of the kernels in bits: 128, 256 or 512; default the CPU's preferred width. The kernels fix
         * it once per JVM, before configuration is read, so it takes effect only as a JVM system property
         * ({@code -Dstarling.vector.bits=256} in STARLING_JAVA_OPTS); it is declared here so the server accepts it.
         */
        Optional<Integer> bits();
    }
}
