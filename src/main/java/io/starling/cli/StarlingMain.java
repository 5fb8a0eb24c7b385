package io.starling.cli;

import io.quarkus.runtime.annotations.QuarkusMain;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
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
        CommandLine cli = commandLine();
        int exitCode = cli.execute(args.length == 0 ? new String[] {"serve"} : args);
        cli.getOut().flush();
        cli.getErr().flush();
        System.exit(exitCode);
    }

    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new StarlingCommand());
        // Generated text and token pieces are UTF-8 whatever the platform's locale says.
        cli.setOut(new PrintWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.out), StandardCharsets.UTF_8)));
        cli.setErr(new PrintWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.err), StandardCharsets.UTF_8), true));
        cli.setExecutionExceptionHandler(new OneLineErrors());
        cli.setParameterExceptionHandler(new OneLineErrors());
        return cli;
    }
}
