package io.starling.engine;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;

/**
 * The requests waiting for the engine: bounded in total, first-in-first-out within a tenant, and shared between
 * tenants by smooth weighted round-robin (nginx's): every pick adds each waiting tenant's weight to its credit and
 * takes the tenant with the most, which then pays the sum of the weights. A tenant with weight w gets w picks in
 * every round of the total weight, interleaved rather than in bursts, so one tenant's flood cannot starve another.
 *
 * <p>Two priority classes wait apart ({@link Priority}): background work is taken only when no interactive item
 * waits (or its anti-starvation turn has come), and it has a bound of its own.
 *
 * <p>Thread-safe: REST threads offer, the engine loop polls and waits.
 */
final class TenantQueue<T> {

    /**
     * While interactive and background work both wait, every this many interactive picks in a row are followed by
     * one background pick: interactive work goes first, yet a steady interactive load cannot starve a batch forever.
     */
    static final int BACKGROUND_EVERY = 8;

    private final ToIntFunction<String> weights;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition nonEmpty = lock.newCondition();
    private final Lanes<T> interactive;
    private final Lanes<T> background;
    /** Interactive picks since the last background pick, counted only while background work waits. */
    private int interactiveStreak;
    private boolean woken;

    /** The tenants waiting in one priority class, bounded by its own capacity. */
    private static final class Lanes<T> {
        final int capacity;
        /** Tenants with waiting work, in order of arrival; a tenant leaves (and loses its credit) when it runs dry. */
        final Map<String, Lane<T>> byTenant = new LinkedHashMap<>();
        int size;

        Lanes(int capacity) {
            this.capacity = capacity;
        }

        /** The fair pick (smooth weighted round-robin) if {@code fits} accepts it; else null and nothing changes. */
        T poll(Predicate<? super T> fits) {
            Lane<T> best = null;
            long total = 0;
            for (Lane<T> lane : byTenant.values()) {
                total += lane.weight;
                if (best == null || lane.credit + lane.weight > best.credit + best.weight) {
                    best = lane;
                }
            }
            if (best == null || !fits.test(best.items.peekFirst())) {
                return null;
            }
            for (Lane<T> lane : byTenant.values()) {
                lane.credit += lane.weight;
            }
            best.credit -= total;
            T item = best.items.removeFirst();
            size--;
            byTenant.values().removeIf(lane -> lane.items.isEmpty());
            return item;
        }
    }

    private static final class Lane<T> {
        final ArrayDeque<T> items = new ArrayDeque<>();
        final int weight;
        long credit;

        Lane(int weight) {
            this.weight = weight;
        }
    }

    /**
     * @param capacity interactive requests that may wait; background work waits in a queue of the same bound of its
     *                 own, so a queued batch never makes an interactive request meet a full queue
     * @param weights  the weight of a tenant (at least 1)
     */
    TenantQueue(int capacity, ToIntFunction<String> weights) {
        this.weights = weights;
        this.interactive = new Lanes<>(capacity);
        this.background = new Lanes<>(capacity);
    }

    /** Queues interactive {@code item} for {@code tenant}; false (and nothing queued) when the queue is full. */
    boolean offer(String tenant, T item) {
        return offer(tenant, item, Priority.INTERACTIVE);
    }

    /** Queues {@code item} for {@code tenant} in its priority class; false (and nothing queued) when that is full. */
    boolean offer(String tenant, T item, Priority priority) {
        lock.lock();
        try {
            Lanes<T> lanes = lanes(priority);
            if (lanes.size >= lanes.capacity) {
                return false;
            }
            lanes.byTenant.computeIfAbsent(tenant, t -> new Lane<>(Math.max(1, weights.applyAsInt(t)))).items.addLast(item);
            lanes.size++;
            nonEmpty.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    private Lanes<T> lanes(Priority priority) {
        return priority == Priority.BACKGROUND ? background : interactive;
    }

    /**
     * Removes and returns the next item if {@code fits} accepts it; otherwise leaves the queue and the credits
     * exactly as they were (the item stays first in line) and returns null. The next item is the fair pick among
     * interactive work; background work is picked only when no interactive item waits, or when its turn has come
     * after {@link #BACKGROUND_EVERY} interactive picks.
     */
    T poll(Predicate<? super T> fits) {
        lock.lock();
        try {
            boolean backgroundWaits = background.size > 0;
            if (backgroundWaits && (interactive.size == 0 || interactiveStreak >= BACKGROUND_EVERY)) {
                T item = background.poll(fits);
                if (item != null || interactive.size == 0) {
                    if (item != null) {
                        interactiveStreak = 0;
                    }
                    return item;
                }
                // its turn, but it does not fit the free slots: the interactive work that may fit goes on
            }
            T item = interactive.poll(fits);
            if (item != null && backgroundWaits) {
                interactiveStreak++;
            }
            return item;
        } finally {
            lock.unlock();
        }
    }

    /** Removes every item {@code dead} accepts (cancelled, expired) and hands each to {@code removed}. */
    void removeIf(Predicate<? super T> dead, Consumer<? super T> removed) {
        lock.lock();
        try {
            removeIf(interactive, dead, removed);
            removeIf(background, dead, removed);
        } finally {
            lock.unlock();
        }
    }

    private static <T> void removeIf(Lanes<T> lanes, Predicate<? super T> dead, Consumer<? super T> removed) {
        for (Iterator<Lane<T>> lanesLeft = lanes.byTenant.values().iterator(); lanesLeft.hasNext(); ) {
            Lane<T> lane = lanesLeft.next();
            for (Iterator<T> items = lane.items.iterator(); items.hasNext(); ) {
                T item = items.next();
                if (dead.test(item)) {
                    items.remove();
                    lanes.size--;
                    removed.accept(item);
                }
            }
            if (lane.items.isEmpty()) {
                lanesLeft.remove();
            }
        }
    }

    /** Waits until something is queued, {@link #wake} is called or the time is up. */
    void awaitWork(long timeoutNanos) throws InterruptedException {
        lock.lock();
        try {
            long left = timeoutNanos;
            while (interactive.size + background.size == 0 && !woken && left > 0) {
                left = nonEmpty.awaitNanos(left);
            }
            woken = false;
        } finally {
            lock.unlock();
        }
    }

    /** Ends a current or the next {@link #awaitWork} at once (shutdown, a cancelled request to reap). */
    void wake() {
        lock.lock();
        try {
            woken = true;
            nonEmpty.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Interactive requests waiting: the queue depth the 429 limit and the metrics count. */
    int size() {
        return size(Priority.INTERACTIVE);
    }

    int size(Priority priority) {
        lock.lock();
        try {
            return lanes(priority).size;
        } finally {
            lock.unlock();
        }
    }

    /** Whether nothing waits, interactive or background. */
    boolean isEmpty() {
        lock.lock();
        try {
            for (Priority priority : Priority.values()) {
                if (lanes(priority).size > 0) {
                    return false;
                }
            }
            return true;
        } finally {
            lock.unlock();
        }
    }
}
