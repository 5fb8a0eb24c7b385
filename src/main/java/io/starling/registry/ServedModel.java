package io.starling.registry;

import io.starling.gguf.GgufFile;
import io.starling.model.ModelShape;
import java.nio.file.Path;

/** A model mapped, validated and ready to serve, under the id clients name it by. */
public record ServedModel(String id, Path path, GgufFile file, ModelShape shape) {

    /** The id a model gets when none is configured: its file name without {@code .gguf}. */
    public static String idFromFileName(Path path) {
        String fileName = path.getFileName().toString();
        return fileName.endsWith(".gguf") ? fileName.substring(0, fileName.length() - ".gguf".length()) : fileName;
    }
}
