package io.starling.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.starling.gguf.GgufFile;
import io.starling.gguf.GgufTensor;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Print a GGUF file's metadata and tensor table.")
final class InspectCommand implements Callable<Integer> {

    @Parameters(paramLabel = "FILE.gguf", description = "The GGUF file.")
    Path file;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    @Option(names = "--all", description = "Print arrays in full (by default arrays longer than "
            + GgufSummary.ARRAY_PREVIEW + " elements are summarised by their length).")
    boolean all;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (GgufFile gguf = GgufFile.open(file)) {
            GgufSummary summary = new GgufSummary(gguf, all);
            if (json) {
                out.println(new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                        .writeValueAsString(summary.toJsonTree()));
            } else {
                summary.printText(out, file);
            }
        }
        out.flush();
        return 0;
    }

    static String shape(GgufTensor t) {
        StringBuilder s = new StringBuilder();
        for (long d : t.shape()) {
            s.append(s.isEmpty() ? "" : " x ").append(d);
        }
        return s.toString();
    }
}
