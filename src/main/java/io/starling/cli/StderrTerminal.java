package io.starling.cli;

import java.io.Console;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether stderr is a terminal, where progress may redraw one line. {@link System#console()} answers for stdin and
 * stdout, which {@code path=$(starling pull …)} redirects while stderr still shows the user: on Linux the target
 * of file descriptor 2 says it exactly; elsewhere the console is the best guess.
 */
final class StderrTerminal {

    private StderrTerminal() {
    }

    static boolean isTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException | SecurityException noProcFileSystem) {
            Console console = System.console();
            return console != null && console.isTerminal();
        }
    }
}
