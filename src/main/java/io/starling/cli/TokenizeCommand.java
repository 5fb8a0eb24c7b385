package io.starling.cli;

import io.starling.gguf.GgufFile;
import io.starling.tokenizer.EncodedText;
import io.starling.tokenizer.Tokenizer;
import io.starling.tokenizer.Tokenizers;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = "Print the token ids of a text under a model's tokenizer (vocab-only GGUF files work too).")
final class TokenizeCommand implements Callable<Integer> {

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "FILE.gguf", description = "Model or vocab file.")
    Path model;

    @ArgGroup(multiplicity = "1")
    Input input;

    static final class Input {
        @Option(names = {"-p", "--prompt"}, paramLabel = "TEXT", description = "The text.")
        String text;

        @Option(names = "--stdin", description = "Read the text from standard input, bytes as they are.")
        boolean stdin;
    }

    @Option(names = "--no-bos", description = "Do not add BOS (or other special tokens the model adds).")
    boolean noBos;

    @Option(names = "--parse-special", description = "Turn special-token texts such as <s> into their tokens.")
    boolean parseSpecial;

    @Option(names = "--json", description = "Print {\"tokens\":[...],\"offsets\":[[start,end],...]} (byte offsets).")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Tokenizer tokenizer;
        try (GgufFile gguf = GgufFile.open(model)) {
            tokenizer = Tokenizers.fromMetadata(gguf.metadata());
        }
        byte[] utf8 = input.stdin ? System.in.readAllBytes() : input.text.getBytes(StandardCharsets.UTF_8);
        EncodedText encoded = tokenizer.encode(utf8, !noBos, parseSpecial);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(encoded.toJson());
        } else {
            StringBuilder ids = new StringBuilder("[");
            for (int i = 0; i < encoded.size(); i++) {
                ids.append(i == 0 ? "" : ", ").append(encoded.id(i));
            }
            out.println(ids.append(']'));
        }
        out.flush();
        return 0;
    }
}
