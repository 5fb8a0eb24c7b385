package io.starling.kv;

import static io.starling.kv.GreedyDriver.concat;
import static org.assertj.core.api.Assertions.assertThat;

import io.starling.TestModels;
import io.starling.gguf.GgufFile;
import io.starling.model.Batch;
import io.starling.model.KvStore;
import io.starling.model.Logits;
import io.starling.model.LlamaModel;
import io.starling.tensor.MatMul;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole model on stories260K: the paged arena, with eviction, spill and prefix reuse, decodes exactly as the contiguous store. */
class PagedKvModelTest {

    /** BOS and a TinyStories-like opening, long enough for three full pages of 16. */
    private static final int[] PROMPT = {1, 403, 407, 261, 378, 365, 379, 267, 459, 298, 377, 392, 303, 327, 261, 337,
            268, 315, 276, 406, 259, 405, 322, 287, 266, 380, 293, 261, 371, 283, 357, 344, 275, 304, 319, 290, 317, 458,
            264, 281, 270, 299, 13, 402, 264, 377, 402, 349, 297, 261};
    private static final int STEPS = 40;

    @TempDir
    static Path dir;
    private static MatMul matMul;
    private static GgufFile file;
    private static LlamaModel model;
    private static GreedyDriver driver;

    @BeforeAll
    static void load() throws Exception {
        matMul = new MatMul(1);
        file = GgufFile.open(TestModels.file("stories260K-f32.gguf"));
        model = LlamaModel.load(file, matMul);
        driver = new GreedyDriver(model);
    }

    @AfterAll
    static void close() {
        if (file != null) {
            file.close();
        }
        matMul.close();
    }

    private static KvArena arena(long pages, Path spill) {
        KvLayout layout = KvLayout.of(model.shape(), 16);
        KvArenaConfig config = KvArenaConfig.inMemory(pages * layout.pageBytes());
        return new KvArena(layout, spill == null ? config : config.withSpill(spill, 64 * layout.pageBytes()),
                KvArenaListener.NONE);
    }

    @Test
    void pagedGreedyOutputEqualsTheContiguousStore() throws Exception {
        float[] expectedTop = new float[STEPS];
        int[] expected = driver.run(model.newKvStore(512), PROMPT, 0, STEPS, expectedTop);
        try (KvArena arena = arena(16, null)) {
            PagedKvStore kv = arena.newStore(512);
            kv.pin();
            float[] top = new float[STEPS];
            assertThat(driver.run(kv, PROMPT, 0, STEPS, top)).containsExactly(expected);
            assertThat(top).as("the same logits, bit for bit").containsExactly(expectedTop);
            arena.verifyIntegrity();
        }
    }

    @Test
    void evictionSpillAndRestoreGiveTheSameTokensAsNoEviction() throws Exception {
        int[] expected = driver.run(model.newKvStore(512), PROMPT, 0, STEPS, null);
        int half = STEPS / 2;
        try (KvArena arena = arena(7, dir.resolve("model.spill"))) {
            PagedKvStore session = arena.newStore(512);
            session.pin();
            int[] first = driver.run(session, PROMPT, 0, half, null);
            session.unpin();

            PagedKvStore intruder = arena.newStore(512); // needs the whole arena: the idle session is spilled
            intruder.pin();
            driver.run(intruder, concat(PROMPT, new int[60]), 0, 1, null);
            assertThat(session.state()).isEqualTo(PagedKvStore.State.SPILLED);
            intruder.unpin();

            session.pin();
            assertThat(arena.stats().restoredPages()).isPositive();
            int[] second = driver.run(session, new int[] {first[half - 1]}, PROMPT.length + half - 1, half, null);
            assertThat(concat(first, second)).containsExactly(expected);
            arena.verifyIntegrity();
        }
    }

    @Test
    void aCorruptedSpillIsRecomputedFromTheTokensNotReadBack() throws Exception {
        int[] expected = driver.run(model.newKvStore(512), PROMPT, 0, STEPS, null);
        int half = STEPS / 2;
        Path spill = dir.resolve("corrupt.spill");
        try (KvArena arena = arena(7, spill)) {
            PagedKvStore session = arena.newStore(512);
            session.pin();
            int[] first = driver.run(session, PROMPT, 0, half, null);
            session.unpin();
            PagedKvStore intruder = arena.newStore(512);
            intruder.pin();
            driver.run(intruder, concat(PROMPT, new int[60]), 0, 1, null);
            intruder.unpin();
            try (FileChannel channel = FileChannel.open(spill, StandardOpenOption.WRITE)) {
                channel.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), arena.spillFile().fileOffset(session.spillSlots()[0]) + 1000);
            }

            session.pin();
            assertThat(arena.stats().restoreFailures()).isEqualTo(1);
            int[] history = concat(PROMPT, Arrays.copyOf(first, half - 1));
            assertThat(session.reuse(history)).as("nothing is trusted after a bad checksum").isZero();
            // the caller recomputes with the schedule the tokens first went through
            driver.run(session, PROMPT, 0, 1, null);
            driver.replayDecode(session, Arrays.copyOf(first, half - 1), PROMPT.length);
            int[] second = driver.run(session, new int[] {first[half - 1]}, PROMPT.length + half - 1, half, null);
            assertThat(concat(first, second)).containsExactly(expected);
            arena.verifyIntegrity();
        }
    }

    @Test
    void aSecondRequestWithTheSamePromptReusesAllButItsLastTokenAndDecodesTheSame() throws Exception {
        KvStore reference = model.newKvStore(512);
        int[] expected = driver.run(reference, PROMPT, 0, STEPS, null);
        try (KvArena arena = arena(32, null)) {
            PagedKvStore first = arena.newStore(512);
            first.pin();
            driver.run(first, PROMPT, 0, STEPS, null);
            first.unpin();
            first.close(); // its full pages stay in the prefix cache

            PagedKvStore second = arena.newStore(512);
            second.pin();
            int reused = second.reuse(PROMPT);
            // three full pages of the 50-token prompt, and the first of the fourth's (positions 48..49 of the prompt,
            // then generated tokens): all but the last prompt token, which must go through the model for logits
            assertThat(reused).isEqualTo(PROMPT.length - 1);
            assertThat(arena.stats().prefixHitPages()).isEqualTo(4);
            int[] tokens = driver.run(second, Arrays.copyOfRange(PROMPT, reused, PROMPT.length), reused, STEPS, null);
            assertThat(tokens).containsExactly(expected);
            arena.verifyIntegrity();
        }
    }

    @Test
    void aPromptEndingInsideACachedPageTakesItsStartAndLeavesTheCachedPageIntact() throws Exception {
        int[] shortPrompt = Arrays.copyOf(PROMPT, 15); // less than one page of 16
        int[] expected = driver.run(model.newKvStore(512), shortPrompt, 0, STEPS, null);
        int[] diverging = Arrays.copyOf(PROMPT, 12);
        diverging[10] = 300; // differs from the cached page at position 10
        int[] expectedDiverging = driver.run(model.newKvStore(512), diverging, 0, STEPS, null);
        try (KvArena arena = arena(32, null)) {
            PagedKvStore first = arena.newStore(512);
            first.pin();
            driver.run(first, shortPrompt, 0, STEPS, null);
            first.unpin();
            first.close();

            for (int round = 0; round < 2; round++) {
                PagedKvStore again = arena.newStore(512);
                again.pin();
                assertThat(again.reusablePositions(shortPrompt)).isEqualTo(14);
                int reused = again.reuse(shortPrompt);
                assertThat(reused).as("round %d", round).isEqualTo(14);
                // writing its own tokens copies the page first: the next round finds the cached page unchanged
                assertThat(driver.run(again, Arrays.copyOfRange(shortPrompt, reused, 15), reused, STEPS, null))
                        .as("round %d", round).containsExactly(expected);
                again.unpin();
                again.close();
                arena.verifyIntegrity();
            }

            PagedKvStore other = arena.newStore(512);
            other.pin();
            int reused = other.reuse(diverging);
            assertThat(reused).as("the common start only").isEqualTo(10);
            assertThat(driver.run(other, Arrays.copyOfRange(diverging, reused, diverging.length), reused, STEPS, null))
                    .containsExactly(expectedDiverging);
            arena.verifyIntegrity();
        }
    }

    @Test
    void twoChoicesForkedFromOnePromptDecodeInOneBatchAsTwoSeparateCachesDo() throws Exception {
        KvStore soloA = model.newKvStore(512);
        KvStore soloB = model.newKvStore(512);
        int firstA = driver.run(soloA, PROMPT, 0, 1, null)[0];
        driver.run(soloB, PROMPT, 0, 1, null);
        int[] expected = decodeTogether(soloA, soloB, firstA);

        try (KvArena arena = arena(16, null)) {
            PagedKvStore a = arena.newStore(512);
            a.pin();
            assertThat(driver.run(a, PROMPT, 0, 1, null)[0]).isEqualTo(firstA);
            long before = arena.stats().residentBytes();
            PagedKvStore b = a.fork();
            assertThat(arena.stats().residentBytes() - before).as("only the partly filled page is copied")
                    .isEqualTo(arena.layout().pageBytes());
            assertThat(decodeTogether(a, b, firstA)).containsExactly(expected);
            arena.verifyIntegrity();
        }
    }

    /**
     * Decodes two sequences in shared batches: the first continues greedily from {@code first}, the second is
     * sent another token (the runner-up a sampler might pick) and continues greedily too. Returns both streams.
     */
    private static int[] decodeTogether(KvStore a, KvStore b, int first) throws KvCacheFullException {
        int steps = 12;
        int[] out = new int[2 * steps];
        int tokenA = first;
        int tokenB = (first + 1) % model.shape().vocabSize();
        for (int s = 0; s < steps; s++) {
            int position = PROMPT.length + s;
            for (KvStore kv : new KvStore[] {a, b}) {
                if (kv instanceof PagedKvStore paged) {
                    paged.reserve(new int[] {kv == a ? tokenA : tokenB});
                }
            }
            Logits logits = model.forward(Batch.of(
                    new Batch.Sequence(a, position, new int[] {tokenA}, Batch.Outputs.LAST),
                    new Batch.Sequence(b, position, new int[] {tokenB}, Batch.Outputs.LAST)));
            tokenA = GreedyDriver.argmax(logits, 0);
            tokenB = GreedyDriver.argmax(logits, 1);
            out[2 * s] = tokenA;
            out[2 * s + 1] = tokenB;
        }
        return out;
    }

    @Test
    void aSessionContinuingItsConversationReusesItsOwnPages() throws Exception {
        int[] userTurn = {13, 403, 407, 261};
        KvStore reference = model.newKvStore(512);
        int[] firstTurn = driver.run(reference, PROMPT, 0, 10, null);
        driver.replayDecode(reference, new int[] {firstTurn[9]}, PROMPT.length + 9);
        int[] expected = driver.run(reference, userTurn, PROMPT.length + 10, 10, null);

        try (KvArena arena = arena(32, null)) {
            PagedKvStore session = arena.newStore(512);
            session.pin();
            int[] turn = driver.run(session, PROMPT, 0, 10, null);
            assertThat(turn).containsExactly(firstTurn);
            session.unpin();

            session.pin();
            int[] conversation = concat(concat(PROMPT, turn), userTurn);
            int reused = session.reuse(conversation);
            assertThat(reused).as("everything written: the prompt and nine fed tokens").isEqualTo(PROMPT.length + 9);
            int[] rest = Arrays.copyOfRange(conversation, reused, conversation.length);
            driver.replayDecode(session, new int[] {rest[0]}, reused);
            int[] answer = driver.run(session, Arrays.copyOfRange(rest, 1, rest.length), reused + 1, 10, null);
            assertThat(answer).containsExactly(expected);
            arena.verifyIntegrity();
        }
    }
}
