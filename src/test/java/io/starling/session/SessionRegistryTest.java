package io.starling.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.starling.kv.KvArena;
import io.starling.kv.KvArenaConfig;
import io.starling.kv.KvArenaListener;
import io.starling.kv.KvDtype;
import io.starling.kv.KvLayout;
import io.starling.kv.PagedKvStore;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SessionRegistryTest {

    private static final KvLayout LAYOUT = new KvLayout(2, 4, 4, KvDtype.F16);
    private static final Duration TTL = Duration.ofMinutes(10);

    /** A clock the test moves by hand. */
    private static final class ManualClock implements InstantSource {
        private Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public Instant instant() {
            return now;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }
    }

    private final ManualClock clock = new ManualClock();
    private KvArena arena;
    private SessionRegistry registry;

    @BeforeEach
    void setUp() {
        arena = new KvArena(LAYOUT, KvArenaConfig.inMemory(4 * LAYOUT.pageBytes()), KvArenaListener.NONE);
        registry = new SessionRegistry(arena, 3, TTL, clock, 64);
    }

    @AfterEach
    void tearDown() {
        arena.close();
    }

    @Test
    void sessionsHaveUniqueIdsAndAreFoundByThem() throws Exception {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            Session session = registry.create();
            assertThat(ids.add(session.id())).isTrue();
            assertThat(registry.find(session.id())).containsSame(session);
        }
        assertThat(ids).allSatisfy(id -> assertThat(id).startsWith("sess-").hasSizeGreaterThan(30));
        assertThat(registry.find("sess-nope")).isEmpty();
        assertThatThrownBy(() -> registry.acquire("sess-nope")).isInstanceOf(UnknownSessionException.class)
                .hasMessageContaining("sess-nope");
    }

    @Test
    void beyondMaxSessionsCreationIsRefusedUntilOneCloses() throws Exception {
        Session first = registry.create();
        registry.create();
        registry.create();
        assertThatThrownBy(registry::create).isInstanceOf(SessionLimitException.class).hasMessageContaining("3 sessions");
        assertThat(registry.close(first.id())).isTrue();
        assertThat(registry.close(first.id())).isFalse();
        assertThat(registry.create()).isNotNull();
    }

    @Test
    void idleSessionsExpireAfterTheirTtlAndFreeTheirPages() throws Exception {
        Session session = registry.create();
        useFor(session, 6);
        assertThat(arena.stats().residentBytes()).isEqualTo(2 * LAYOUT.pageBytes());
        clock.advance(TTL);
        assertThat(registry.expire()).as("exactly the TTL is still alive").isZero();
        clock.advance(Duration.ofSeconds(1));
        assertThat(registry.expire()).isEqualTo(1);
        assertThat(session.closed()).isTrue();
        assertThat(session.kv().state()).isEqualTo(PagedKvStore.State.CLOSED);
        assertThat(registry.find(session.id())).isEmpty();
        assertThat(registry.expiredCount()).isEqualTo(1);
        assertThat(arena.stats().residentBytes() - arena.stats().cachedBytes()).isZero();
        arena.verifyIntegrity();
    }

    @Test
    void useRestartsTheTtlAndAPinnedSessionNeverExpires() throws Exception {
        Session session = registry.create();
        clock.advance(TTL.minusSeconds(1));
        registry.acquire(session.id());
        clock.advance(TTL.multipliedBy(3));
        assertThat(registry.expire()).isZero();
        registry.release(session);
        clock.advance(TTL.minusSeconds(1));
        assertThat(registry.find(session.id())).isPresent();
        clock.advance(Duration.ofSeconds(2));
        assertThatThrownBy(() -> registry.acquire(session.id())).isInstanceOf(UnknownSessionException.class);
    }

    @Test
    void expiredSessionsMakeRoomForNewOnes() throws Exception {
        registry.create();
        registry.create();
        registry.create();
        clock.advance(TTL.plusSeconds(1));
        assertThat(registry.create()).isNotNull();
        assertThat(registry.size()).isEqualTo(1);
    }

    @Test
    void closingASessionInFlightFreesItsPagesWhenTheRequestReleasesIt() throws Exception {
        Session session = registry.create();
        registry.acquire(session.id());
        session.kv().reserve(new int[] {1, 2, 3, 4, 5});
        assertThat(registry.close(session.id())).isTrue();
        assertThat(registry.find(session.id())).isEmpty();
        assertThat(session.kv().state()).as("the running request keeps its pages").isEqualTo(PagedKvStore.State.RESIDENT);
        assertThat(arena.stats().residentBytes()).isEqualTo(2 * LAYOUT.pageBytes());
        registry.release(session);
        assertThat(session.kv().state()).isEqualTo(PagedKvStore.State.CLOSED);
        assertThat(arena.stats().residentBytes()).isZero();
        arena.verifyIntegrity();
    }

    @Test
    void anIdleSessionsPagesAreEvictedForAPinnedOneButTheSessionStays() throws Exception {
        Session idle = registry.create();
        useFor(idle, 8); // two of the arena's four pages
        Session busy = registry.create();
        registry.acquire(busy.id());
        busy.kv().reserve(new int[16]); // all four pages: the idle session's cache is dropped
        assertThat(idle.kv().length()).isZero();
        assertThat(registry.find(idle.id())).containsSame(idle);
        registry.release(busy);
        arena.verifyIntegrity();
    }

    @Test
    void aSessionRunsOneRequestAtATime() throws Exception {
        Session session = registry.create();
        registry.acquire(session.id());
        assertThatThrownBy(() -> registry.acquire(session.id())).isInstanceOf(SessionBusyException.class)
                .hasMessageContaining("busy");
        registry.release(session);
        assertThat(registry.acquire(session.id())).isSameAs(session);
    }

    @Test
    void releasingMoreOftenThanAcquiringIsAnError() throws Exception {
        Session session = registry.create();
        assertThatThrownBy(() -> registry.release(session)).isInstanceOf(IllegalStateException.class);
    }

    /** Acquires the session, appends {@code positions} tokens (reserved only: the registry does not read them), releases. */
    private void useFor(Session session, int positions) throws Exception {
        registry.acquire(session.id());
        session.kv().reserve(new int[positions]);
        registry.release(session);
    }
}
