package io.starling.kv;

import static io.starling.kv.KvFixtures.LAYOUT;
import static io.starling.kv.KvFixtures.PAGE;
import static io.starling.kv.KvFixtures.append;
import static io.starling.kv.KvFixtures.arena;
import static io.starling.kv.KvFixtures.range;
import static io.starling.kv.KvFixtures.spillingArena;
import static io.starling.kv.KvFixtures.verifyContent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Allocation under the cap, eviction order, pinning, prefix sharing with reference counts, spill and restore. */
class KvArenaTest {

    @TempDir
    Path dir;

    @Test
    void memoryIsTakenLazilyAndNeverBeyondTheCap() throws Exception {
        try (KvArena arena = arena(3)) {
            assertThat(arena.stats().allocatedBytes()).isZero();
            PagedKvStore store = arena.newStore(64);
            store.pin();
            append(store, range(0, 3 * PAGE));
            assertThat(arena.stats().residentBytes()).isEqualTo(3 * LAYOUT.pageBytes());
            assertThat(arena.stats().allocatedBytes()).isEqualTo(arena.capacityBytes());
            int[] before = store.tokens();
            assertThatThrownBy(() -> store.reserve(range(100, 1))).isInstanceOf(KvCacheFullException.class)
                    .hasMessageContaining("KV cache full");
            assertThat(store.tokens()).as("a refused reserve changes nothing").containsExactly(before);
            assertThat(arena.stats().cacheFullRejections()).isEqualTo(1);
            arena.verifyIntegrity();
            store.unpin();
            store.close();
            assertThat(arena.stats().residentBytes() - arena.stats().cachedBytes()).as("only prefix-cached pages stay").isZero();
            arena.verifyIntegrity();
        }
    }

    @Test
    void idleStoresAreEvictedLeastRecentlyUsedFirstAndPinnedOnesNever() throws Exception {
        try (KvArena arena = arena(3)) {
            PagedKvStore pinned = filled(arena, 1, PAGE);
            PagedKvStore older = filled(arena, 2, PAGE);
            PagedKvStore newer = filled(arena, 3, PAGE);
            older.unpin();
            newer.unpin();
            older.pin(); // used again: now the most recent
            older.unpin();

            PagedKvStore incoming = pinnedWith(arena, range(400, PAGE));
            assertThat(newer.length()).as("least recently used, dropped").isZero();
            assertThat(older.length()).isEqualTo(PAGE);
            assertThat(pinned.length()).isEqualTo(PAGE);
            verifyContent(pinned);
            assertThat(arena.stats().evictions()).isEqualTo(1);

            append(incoming, range(500, PAGE));
            assertThat(older.length()).isZero();
            assertThatThrownBy(() -> append(incoming, range(600, PAGE))).isInstanceOf(KvCacheFullException.class);
            verifyContent(pinned);
            verifyContent(incoming);
            arena.verifyIntegrity();
        }
    }

    @Test
    void promptsSharingAPrefixShareFullPagesByContent() throws Exception {
        try (KvArena arena = arena(8)) {
            int[] prompt = range(7, 2 * PAGE + 3);
            PagedKvStore first = arena.newStore(64);
            first.pin();
            assertThat(first.reuse(prompt)).isZero();
            append(first, prompt);

            PagedKvStore second = pinnedWith(arena);
            int[] other = prompt.clone();
            other[2 * PAGE + 1] = 999; // differs only in the partly filled page
            assertThat(second.reusablePositions(other)).isEqualTo(2 * PAGE);
            assertThat(second.reuse(other)).isEqualTo(2 * PAGE);
            assertThat(arena.stats().prefixHitPages()).isEqualTo(2);
            assertThat(arena.stats().residentBytes()).as("no new page for the shared prefix").isEqualTo(3 * LAYOUT.pageBytes());
            append(second, java.util.Arrays.copyOfRange(other, 2 * PAGE, other.length));
            verifyContent(second);

            // a prompt differing in the first page shares nothing: the chain starts from the first page
            int[] differentStart = prompt.clone();
            differentStart[0] = 1;
            assertThat(arena.newStore(64).reusablePositions(differentStart)).isZero();

            first.unpin();
            first.close();
            verifyContent(second);
            arena.verifyIntegrity();
            second.unpin();
            second.close();
            assertThat(arena.stats().cachedBytes()).as("full pages stay for later prompts").isEqualTo(2 * LAYOUT.pageBytes());

            PagedKvStore later = pinnedWith(arena);
            assertThat(later.reuse(prompt)).isEqualTo(2 * PAGE);
            verifyContent(later);
            arena.verifyIntegrity();
        }
    }

    @Test
    void truncatingIntoASharedPageCopiesItBeforeWriting() throws Exception {
        try (KvArena arena = arena(8)) {
            int[] prompt = range(50, 2 * PAGE + 1);
            PagedKvStore first = pinnedWith(arena, prompt);
            PagedKvStore second = pinnedWith(arena);
            int[] branch = prompt.clone();
            branch[PAGE + 1] = 777; // branches inside the second page
            // the shared second page must be cut: reuse keeps the first page whole and a part of the second
            append(second, java.util.Arrays.copyOf(prompt, 2 * PAGE));
            assertThat(second.reuse(branch)).isEqualTo(PAGE + 1);
            append(second, java.util.Arrays.copyOfRange(branch, PAGE + 1, branch.length));
            verifyContent(first);
            verifyContent(second);
            arena.verifyIntegrity();
        }
    }

    @Test
    void aForkSharesFullPagesAndCopiesThePartialOne() throws Exception {
        try (KvArena arena = arena(8)) {
            PagedKvStore parent = filled(arena, 3, 2 * PAGE + 2);
            long before = arena.stats().residentBytes();
            parent.reserve(new int[] {9});
            assertThatThrownBy(parent::fork).isInstanceOf(IllegalStateException.class).hasMessageContaining("not written");
            parent.truncate(2 * PAGE + 2);
            PagedKvStore child = parent.fork();
            assertThat(arena.stats().residentBytes() - before).isEqualTo(LAYOUT.pageBytes());
            append(parent, 11, 12);
            append(child, 21);
            verifyContent(parent);
            verifyContent(child);
            arena.verifyIntegrity();
            parent.unpin();
            parent.close();
            verifyContent(child);
            child.unpin();
            child.close();
            arena.verifyIntegrity();
            assertThat(arena.stats().openStores()).isZero();
        }
    }

    @Test
    void closingAPinnedStoreWaitsForItsLastUnpin() throws Exception {
        try (KvArena arena = arena(2)) {
            PagedKvStore store = filled(arena, 1, PAGE + 1);
            store.close();
            verifyContent(store);
            assertThat(store.state()).isEqualTo(PagedKvStore.State.RESIDENT);
            store.unpin();
            assertThat(store.state()).isEqualTo(PagedKvStore.State.CLOSED);
            assertThat(arena.stats().openStores()).isZero();
            arena.verifyIntegrity();
        }
    }

    @Test
    void evictedPagesSpillAndComeBackIntact() throws Exception {
        Path file = dir.resolve("kv.spill");
        try (KvArena arena = spillingArena(2, file, 4)) {
            PagedKvStore idle = filled(arena, 1, PAGE + 2);
            idle.unpin();
            PagedKvStore busy = filled(arena, 2, 2 * PAGE);
            assertThat(idle.state()).isEqualTo(PagedKvStore.State.SPILLED);
            assertThat(arena.stats().spilledBytes()).isEqualTo(2 * LAYOUT.pageBytes());
            assertThat(Files.exists(file)).isTrue();
            arena.verifyIntegrity();
            busy.unpin();

            idle.pin(); // evicts busy in turn
            assertThat(idle.state()).isEqualTo(PagedKvStore.State.RESIDENT);
            assertThat(idle.length()).isEqualTo(PAGE + 2);
            verifyContent(idle);
            assertThat(busy.state()).isEqualTo(PagedKvStore.State.SPILLED);
            assertThat(arena.stats().spilledPages()).isEqualTo(4);
            assertThat(arena.stats().restoredPages()).isEqualTo(2);
            assertThat(arena.stats().restoreFailures()).isZero();
            arena.verifyIntegrity();
        }
        assertThat(Files.exists(file)).as("the spill file goes with the arena").isFalse();
    }

    @Test
    void spilledPagesAreWrittenNotMappedSoTheyLeaveTheProcess() throws Exception {
        Path maps = Path.of("/proc/self/maps");
        Assumptions.assumeTrue(Files.isReadable(maps), "needs /proc/self/maps (Linux) to see the process's mappings");
        Path file = dir.resolve("unmapped.spill");
        try (KvArena arena = spillingArena(2, file, 4)) {
            PagedKvStore idle = filled(arena, 1, 2 * PAGE);
            idle.unpin();
            filled(arena, 2, 2 * PAGE);
            assertThat(idle.state()).isEqualTo(PagedKvStore.State.SPILLED);
            assertThat(Files.size(file)).isEqualTo(2 * LAYOUT.pageBytes());
            assertThat(Files.readString(maps)).as("a page written into a mapping would stay resident in the process")
                    .doesNotContain(file.toString());
        }
    }

    @Test
    void aSpillFileThatCannotBeWrittenDropsTheEvictedCacheAndSaysSo() throws Exception {
        List<String> failures = new ArrayList<>();
        KvArenaListener listener = new KvArenaListener() {
            @Override
            public void restoreFailed(PagedKvStore store, String reason) {
                failures.add(reason);
            }
        };
        Path file = dir.resolve("broken.spill");
        try (KvArena arena = new KvArena(LAYOUT, KvArenaConfig.inMemory(2 * LAYOUT.pageBytes())
                .withSpill(file, 4 * LAYOUT.pageBytes()), listener)) {
            arena.spillFile().close(); // what a failing disk looks like to the writes
            PagedKvStore idle = filled(arena, 1, 2 * PAGE);
            idle.unpin();
            PagedKvStore other = filled(arena, 2, PAGE);

            assertThat(idle.state()).isEqualTo(PagedKvStore.State.RESIDENT);
            assertThat(idle.length()).as("the cache is dropped, the caller recomputes").isZero();
            assertThat(arena.stats().spilledPages()).isZero();
            assertThat(arena.stats().spilledBytes()).isZero();
            assertThat(arena.stats().restoreFailures()).isEqualTo(1);
            assertThat(failures).singleElement().asString().contains("cannot write to the KV spill file " + file);
            arena.verifyIntegrity();
            verifyContent(other);
        }
    }

    @Test
    void aCorruptedSpillPageDropsThatStoresCacheInsteadOfReturningWrongValues() throws Exception {
        Path file = dir.resolve("kv.spill");
        List<String> failures = new ArrayList<>();
        KvArenaListener listener = new KvArenaListener() {
            @Override
            public void restoreFailed(PagedKvStore store, String reason) {
                failures.add(reason);
            }
        };
        try (KvArena arena = new KvArena(LAYOUT, KvArenaConfig.inMemory(2 * LAYOUT.pageBytes())
                .withSpill(file, 4 * LAYOUT.pageBytes()), listener)) {
            PagedKvStore victim = filled(arena, 1, 2 * PAGE);
            victim.unpin();
            PagedKvStore other = filled(arena, 2, PAGE);
            assertThat(victim.state()).isEqualTo(PagedKvStore.State.SPILLED);
            int slot = victim.spillSlots()[1];
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.write(ByteBuffer.wrap(new byte[] {0x55}), arena.spillFile().fileOffset(slot) + 17);
            }
            other.unpin();

            victim.pin();
            assertThat(victim.length()).as("the cache is dropped, the caller recomputes").isZero();
            assertThat(victim.tokens()).isEmpty();
            assertThat(arena.stats().restoreFailures()).isEqualTo(1);
            assertThat(failures).singleElement().asString().contains("CRC32C");
            assertThat(arena.stats().spilledBytes()).isZero();
            arena.verifyIntegrity();
            append(victim, 1, 2, 3);
            verifyContent(victim);
        }
    }

    @Test
    void withoutRoomInTheSpillFileEvictedPagesAreDropped() throws Exception {
        try (KvArena arena = spillingArena(2, dir.resolve("small.spill"), 1)) {
            PagedKvStore idle = filled(arena, 1, 2 * PAGE);
            idle.unpin();
            filled(arena, 2, PAGE);
            assertThat(idle.state()).isEqualTo(PagedKvStore.State.RESIDENT);
            assertThat(idle.length()).isZero();
            assertThat(arena.stats().spilledPages()).isZero();
            arena.verifyIntegrity();
        }
    }

    @Test
    void anUnusableSpillPathIsAClearErrorAtStart() {
        Path missing = dir.resolve("no-such-dir").resolve("kv.spill");
        assertThatThrownBy(() -> spillingArena(2, missing, 2)).isInstanceOf(java.io.UncheckedIOException.class)
                .hasMessageContaining("cannot create the KV spill file " + missing);
    }

    /** A pinned store holding {@code positions} tokens starting at {@code seed * 100}. */
    private static PagedKvStore filled(KvArena arena, int seed, int positions) throws KvCacheFullException {
        return pinnedWith(arena, range(seed * 100, positions));
    }

    /** A pinned store holding {@code tokens}. */
    private static PagedKvStore pinnedWith(KvArena arena, int... tokens) throws KvCacheFullException {
        PagedKvStore store = arena.newStore(64);
        store.pin();
        append(store, tokens);
        return store;
    }
}
