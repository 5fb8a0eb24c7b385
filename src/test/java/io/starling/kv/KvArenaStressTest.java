package io.starling.kv;

import static io.starling.kv.KvFixtures.append;
import static io.starling.kv.KvFixtures.verifyContent;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several threads create, extend, fork, truncate, pin, unpin and close stores at random in a small arena with a
 * spill file, so eviction, spill, restore and prefix sharing happen all the time, while another thread checks the
 * arena's bookkeeping. Every store's content is checked whenever it is pinned, and at the end everything is freed.
 */
class KvArenaStressTest {

    private static final int THREADS = 4;
    private static final long MILLIS = 1500;
    private static final long DEADLINE_MILLIS = 30_000;
    /**
     * Prompts start with one of a few shared prefixes, so full pages (four positions) are shared and reused by
     * content; with a random tail they span two to eight pages of an arena of 24.
     */
    private static final int[][] PREFIXES = {KvFixtures.range(1, 9), KvFixtures.range(40, 13), KvFixtures.range(80, 4)};

    @TempDir
    Path dir;

    @Test
    void invariantsHoldUnderConcurrentRandomUse() throws Exception {
        Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong operations = new AtomicLong();
        AtomicLong refusals = new AtomicLong();
        try (KvArena arena = KvFixtures.spillingArena(24, dir.resolve("stress.spill"), 12)) {
            List<List<PagedKvStore>> owned = new ArrayList<>();
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                List<PagedKvStore> stores = new ArrayList<>();
                owned.add(stores);
                Random random = new Random(1000 + t);
                workers.add(Thread.ofPlatform().start(() -> {
                    try {
                        while (running.get()) {
                            if (!operate(arena, stores, random)) {
                                refusals.incrementAndGet();
                            }
                            operations.incrementAndGet();
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }));
            }
            Thread checker = Thread.ofPlatform().start(() -> {
                try {
                    while (running.get()) {
                        arena.verifyIntegrity();
                        assertThat(arena.stats().allocatedBytes()).isLessThanOrEqualTo(arena.capacityBytes());
                        Thread.onSpinWait();
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            // at least MILLIS, and on a loaded machine on until every path below has been taken (at most DEADLINE)
            long start = System.nanoTime();
            Thread.sleep(MILLIS);
            while (!everyPathTaken(arena, operations, refusals) && failures.isEmpty()
                    && System.nanoTime() - start < DEADLINE_MILLIS * 1_000_000) {
                Thread.sleep(50);
            }
            running.set(false);
            for (Thread worker : workers) {
                worker.join();
            }
            checker.join();
            assertThat(failures).isEmpty();
            arena.verifyIntegrity();
            assertThat(operations.get()).isGreaterThan(1000);
            assertThat(arena.stats().evictions()).as("memory pressure evicted idle stores").isPositive();
            assertThat(arena.stats().spilledPages()).isPositive();
            assertThat(arena.stats().restoredPages()).isPositive();
            assertThat(arena.stats().prefixHitPages()).isPositive();
            assertThat(refusals.get()).as("some requests found every page pinned").isPositive();

            for (List<PagedKvStore> stores : owned) {
                for (PagedKvStore store : stores) {
                    store.close();
                }
            }
            assertThat(arena.stats().openStores()).isZero();
            assertThat(arena.stats().residentBytes()).as("only the prefix cache keeps pages").isEqualTo(arena.stats().cachedBytes());
            assertThat(arena.stats().spilledBytes()).isZero();
            arena.verifyIntegrity();
        }
    }

    /** One random operation on one of this thread's stores; false when the arena refused it as full. */
    private static boolean everyPathTaken(KvArena arena, AtomicLong operations, AtomicLong refusals) {
        var stats = arena.stats();
        return operations.get() > 1000 && stats.evictions() > 0 && stats.spilledPages() > 0 && stats.restoredPages() > 0
                && stats.prefixHitPages() > 0 && refusals.get() > 0;
    }

    private static boolean operate(KvArena arena, List<PagedKvStore> stores, Random random) throws Exception {
        int choice = random.nextInt(10);
        if (stores.isEmpty() || choice == 0 && stores.size() < 6) {
            PagedKvStore store = arena.newStore(48);
            stores.add(store);
            return pinned(store, () -> {
                int[] prompt = prompt(random);
                int reused = store.reuse(prompt);
                append(store, Arrays.copyOfRange(prompt, reused, prompt.length));
            });
        }
        PagedKvStore store = stores.get(random.nextInt(stores.size()));
        return switch (choice) {
            case 1 -> {
                stores.remove(store);
                store.close();
                yield true;
            }
            case 2 -> pinned(store, () -> {
                if (stores.size() < 6) {
                    PagedKvStore child = store.fork();
                    stores.add(child);
                    verifyContent(child);
                    try {
                        if (child.length() < child.capacity()) {
                            append(child, random.nextInt(500));
                        }
                        verifyContent(child);
                    } finally {
                        child.unpin();
                    }
                }
            });
            case 3 -> pinned(store, () -> store.truncate(random.nextInt(store.length() + 1)));
            case 4 -> pinned(store, () -> {
                int[] prompt = prompt(random);
                int reused = store.reuse(prompt);
                append(store, Arrays.copyOfRange(prompt, reused, prompt.length));
            });
            default -> pinned(store, () -> {
                int room = store.capacity() - store.length();
                if (room > 0) {
                    int[] tokens = new int[1 + random.nextInt(Math.min(room, 6))];
                    for (int i = 0; i < tokens.length; i++) {
                        tokens[i] = random.nextInt(500);
                    }
                    append(store, tokens);
                }
            });
        };
    }

    private interface PinnedWork {
        void run() throws KvCacheFullException;
    }

    /** Pins, checks the content, works, checks again, unpins; false if the arena was full. */
    private static boolean pinned(PagedKvStore store, PinnedWork work) {
        try {
            store.pin();
        } catch (KvCacheFullException e) {
            return false;
        }
        try {
            verifyContent(store);
            work.run();
            verifyContent(store);
            return true;
        } catch (KvCacheFullException e) {
            verifyContent(store);
            return false;
        } finally {
            store.unpin();
        }
    }

    private static int[] prompt(Random random) {
        int[] prefix = PREFIXES[random.nextInt(PREFIXES.length)];
        int[] prompt = Arrays.copyOf(prefix, prefix.length + 1 + random.nextInt(8));
        for (int i = prefix.length; i < prompt.length; i++) {
            prompt[i] = random.nextInt(500);
        }
        return prompt;
    }
}
