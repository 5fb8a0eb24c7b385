package io.starling.cli;

import io.quarkus.runtime.annotations.QuarkusMain;
import picocli.CommandLine;

/**
 * The process entry point. Tools such as {@code inspect} run without booting Quarkus, so they start in
 * milliseconds and never open a port; only {@code serve} starts the application.
 */
@QuarkusMain
public final class StarlingMain {

    private StarlingMain() {
    }

    public static void main(String... args) {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            System.err.println("starling: the JVM was started without --add-modules=jdk.incubator.vector "
                    + "(the compute kernels need it); start Starling with ./starling, or add the flag to JDK_JAVA_OPTIONS");
            System.exit(2);
        }
        System.exit(commandLine().execute(args.length == 0 ? new String[] {"serve"} : args));
    }

    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new StarlingCommand());
        cli.setExecutionExceptionHandler(new OneLineErrors());
        cli.setParameterExceptionHandler(new OneLineErrors());
        return cli;
    }
}
