package io.starling.cli;

import io.quarkus.runtime.Quarkus;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import sun.misc.Signal;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Start the HTTP server (the default command).",
                "Every setting can also come from the environment (STARLING_MODEL, QUARKUS_HTTP_PORT, ...) or config/application.properties."})
final class ServeCommand implements Callable<Integer> {

    @Option(names = {"-m", "--model"}, paramLabel = "FILE.gguf",
            description = "Model to serve (starling.model); without one, the embedded stories260K model is served.")
    Path model;

    @Option(names = "--host", description = "Address to listen on (quarkus.http.host).")
    String host;

    @Option(names = {"-p", "--port"}, description = "Port to listen on (quarkus.http.port, default 8080).")
    Integer port;

    @Override
    public Integer call() {
        // System properties outrank env and files in MicroProfile Config, so flags win as users expect.
        if (model != null) {
            System.setProperty("starling.model", model.toString());
        }
        if (host != null) {
            System.setProperty("quarkus.http.host", host);
        }
        if (port != null) {
            System.setProperty("quarkus.http.port", port.toString());
        }
        exitCleanlyOnSigterm();
        Quarkus.run();
        return 0;
    }

    /**
     * SIGTERM is how Kubernetes, systemd and podman stop a server: it starts the same graceful shutdown (the shutdown
     * hooks drain and stop Quarkus) but ends with status 0 instead of the JVM's 143, so a drained stop reads as a
     * clean exit.
     */
    private static void exitCleanlyOnSigterm() {
        Signal.handle(new Signal("TERM"), signal -> System.exit(0));
    }
}
