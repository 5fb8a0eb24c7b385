package io.starling.cli;

import io.starling.batch.ShardMerge;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "merge", mixinStandardHelpOptions = true,
        description = {"Join the finished outputs of shards 0/N … N-1/N (given in that order) into the output one "
                + "unsharded run writes: input order, every line once."})
final class BatchMergeCommand implements Callable<Integer> {

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT.jsonl", description = "The merged output.")
    Path output;

    @Option(names = {"-i", "--input-file"}, paramLabel = "IN.jsonl",
            description = "The input the shards ran: every merged line's custom_id is checked against it.")
    Path input;

    @Parameters(arity = "1..*", paramLabel = "SHARD.jsonl", description = "Shard outputs, shard 0 first.")
    List<Path> shards;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        long lines = ShardMerge.merge(shards, output, Optional.ofNullable(input));
        spec.commandLine().getErr().println("starling batch merge: " + lines + " lines from " + shards.size()
                + " shards into " + output);
        return 0;
    }
}
