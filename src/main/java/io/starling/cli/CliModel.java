package io.starling.cli;

import io.starling.gguf.GgufFile;
import io.starling.model.LlamaModel;
import io.starling.tensor.MatMul;
import io.starling.tokenizer.Tokenizer;
import io.starling.tokenizer.Tokenizers;
import java.io.IOException;
import java.nio.file.Path;

/** A model file opened for a CLI tool: weights, tokenizer and the kernel pool, closed together. */
record CliModel(GgufFile file, LlamaModel model, Tokenizer tokenizer, MatMul matMul) implements AutoCloseable {

    static CliModel open(Path path, int threads) throws IOException {
        GgufFile file = GgufFile.open(path);
        MatMul matMul = null;
        try {
            Tokenizer tokenizer = Tokenizers.fromMetadata(file.metadata());
            matMul = new MatMul(threads);
            return new CliModel(file, LlamaModel.load(file, matMul), tokenizer, matMul);
        } catch (RuntimeException e) {
            if (matMul != null) {
                matMul.close();
            }
            file.close();
            throw e;
        }
    }

    @Override
    public void close() {
        matMul.close();
        file.close();
    }
}
