package io.starling.cli;

import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options every command that runs a model shares: which file, and how many kernel threads. */
final class ModelOptions {

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "FILE.gguf", description = "The model.")
    Path model;

    @Option(names = {"-t", "--threads"}, description = "Kernel threads (default: the cores).")
    Integer threads;

    CliModel open() throws IOException {
        return CliModel.open(model, threads != null ? threads : Runtime.getRuntime().availableProcessors());
    }
}
