package io.starling.cli;

import io.starling.registry.source.CachedModel;
import io.starling.registry.source.ModelCache;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "models", mixinStandardHelpOptions = true,
        description = "List the models in the cache: sha256, size, file name and the URL it came from.")
final class ModelsCommand implements Callable<Integer> {

    @Mixin
    CacheDirOption cacheDir;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ModelCache cache = cacheDir.cache();
        List<CachedModel> models = cache.list();
        PrintWriter out = spec.commandLine().getOut();
        if (models.isEmpty()) {
            out.println("no models in " + cache.dir());
        }
        for (CachedModel model : models) {
            out.printf("%s  %10s  %s  %s%n", model.sha256(), ByteSize.format(model.size()), model.file().getFileName(),
                    model.url().orElse("-"));
        }
        out.flush();
        return 0;
    }
}
