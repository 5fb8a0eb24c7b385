package io.starling.registry;

import io.quarkus.logging.Log;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.StartupEvent;
import io.starling.config.StarlingConfig;
import io.starling.gguf.GgufFile;
import io.starling.model.ModelShape;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/** Maps and validates the configured model (or the embedded default) at start-up and holds it while serving. */
@ApplicationScoped
public class ModelRegistry {

    private final StarlingConfig config;
    private volatile ServedModel served;

    ModelRegistry(StarlingConfig config) {
        this.config = config;
    }

    void onStart(@Observes StartupEvent event) {
        Path path = config.model().orElse(null);
        try {
            if (path == null) {
                path = EmbeddedModel.extractTo(Path.of(System.getProperty("java.io.tmpdir")));
                Log.infof("no model configured (starling.model / STARLING_MODEL): serving the embedded %s", EmbeddedModel.NAME);
            }
            served = load(path, config.modelName().orElse(null));
            Log.infof("serving model '%s' from %s: %s", served.id(), path, served.shape());
        } catch (Exception e) {
            // A server that cannot serve its model must not look healthy: say why in one line and stop.
            Log.errorf("cannot serve model %s: %s", path, e instanceof NoSuchFileException ? "no such file" : e.getMessage());
            Quarkus.asyncExit(1);
        }
    }

    static ServedModel load(Path path, String name) throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new NoSuchFileException(path.toString(), null, "no such file");
        }
        GgufFile file = GgufFile.open(path);
        try {
            ModelShape shape = ModelShape.of(file);
            return new ServedModel(name != null ? name : idFromFileName(path), path, file, shape);
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    static String idFromFileName(Path path) {
        String fileName = path.getFileName().toString();
        return fileName.endsWith(".gguf") ? fileName.substring(0, fileName.length() - ".gguf".length()) : fileName;
    }

    public Optional<ServedModel> served() {
        return Optional.ofNullable(served);
    }

    @PreDestroy
    void close() {
        ServedModel model = served;
        served = null;
        if (model != null) {
            model.file().close();
        }
    }
}
