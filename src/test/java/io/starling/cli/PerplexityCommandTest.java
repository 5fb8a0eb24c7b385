package io.starling.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PerplexityCommandTest {

    private static final String STORY = """
            Once upon a time, there was a little girl named Lily. She loved to play outside in the park with her \
            friends. One day, she saw a big red ball under a tree. She ran to the ball and picked it up. It was very \
            shiny. Lily wanted to show the ball to her mom, so she ran home as fast as she could. Her mom smiled and \
            said, "What a nice ball! Let's play together." They played in the garden until the sun went down.
            """;

    @Test
    void lastLineIsLlamaPerplexitysFinalEstimate(@TempDir Path dir) throws IOException {
        Path text = Files.writeString(dir.resolve("story.txt"), STORY.repeat(6));
        CliRun run = CliRun.of("perplexity", "-m", TestModels.file("stories260K-f32.gguf").toString(),
                "-f", text.toString(), "-c", "128");
        assertThat(run.exitCode()).as(run.err()).isZero();
        String last = run.out().strip().lines().reduce((a, b) -> b).orElseThrow();
        assertThat(last).matches("Final estimate: PPL = \\d+\\.\\d{4}");
        double ppl = Double.parseDouble(last.substring(last.indexOf('=') + 1).strip());
        // a TinyStories model on a TinyStories-like text repeated: it should find it very predictable
        assertThat(ppl).isBetween(1.0, 20.0);
    }

    @Test
    void tooShortATextIsAClearError(@TempDir Path dir) throws IOException {
        Path text = Files.writeString(dir.resolve("short.txt"), "Once upon a time");
        CliRun run = CliRun.of("perplexity", "-m", TestModels.file("stories260K-f32.gguf").toString(),
                "-f", text.toString(), "-c", "128");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("need at least 256 tokens");
    }
}
