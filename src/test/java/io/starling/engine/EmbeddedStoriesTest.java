package io.starling.engine;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** Engine tests over the embedded stories260K model, loaded once per test class. */
abstract class EmbeddedStoriesTest {

    @TempDir
    static Path dir;
    static EmbeddedStories stories;
    /** The end-of-sequence id; masked, a sequence runs to its token limit. */
    static int eos;

    @BeforeAll
    static void load() throws Exception {
        stories = new EmbeddedStories(dir);
        eos = stories.text.tokenizer().eos();
    }

    @AfterAll
    static void close() {
        stories.close();
    }
}
