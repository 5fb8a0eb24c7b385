package io.starling.cli;

import io.starling.registry.source.ModelSource;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "pull", mixinStandardHelpOptions = true,
        description = {"Download a model into the cache, verify its sha256 and print its path.",
                "An interrupted download resumes where it stopped; a wrong checksum leaves nothing in the cache.",
                "A local path or file: URL is verified where it is."})
final class PullCommand implements Callable<Integer> {

    @Parameters(paramLabel = "URL", description = "An http(s) URL, a file: URL or a path of a GGUF file.")
    String source;

    @Option(names = "--sha256", required = true, paramLabel = "HEX", description = "The file's SHA-256 (64 hex digits).")
    String sha256;

    @Mixin
    CacheDirOption cacheDir;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ModelSource model;
        try {
            model = ModelSource.parse(source, sha256);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e, null, source);
        }
        PullProgress progress = new PullProgress(spec.commandLine().getErr(), StderrTerminal.isTerminal(), System::nanoTime);
        Path path;
        try {
            path = cacheDir.cache().resolve(model, progress);
        } finally {
            progress.end();
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(path.toAbsolutePath());
        out.flush();
        return 0;
    }
}
