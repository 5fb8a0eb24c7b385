package io.starling.cli;

import picocli.CommandLine.Command;

@Command(name = "starling",
        mixinStandardHelpOptions = true,
        versionProvider = StarlingVersion.class,
        description = "LLM inference server for CPUs: GGUF models, OpenAI-compatible API.",
        subcommands = {ServeCommand.class, InspectCommand.class, TokenizeCommand.class, GenerateCommand.class,
                PerplexityCommand.class, BenchCommand.class, PullCommand.class, ModelsCommand.class})
final class StarlingCommand {
}
