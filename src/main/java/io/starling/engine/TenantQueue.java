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
 * <p>Thread-safe: REST threads offer, the engine loop polls and waits.
 */
final class TenantQueue<T> {

    private final int capacity;
    private final ToIntFunction<String> weights;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition nonEmpty = lock.newCondition();
    /** Tenants with waiting work, in order of arrival; a tenant leaves (and loses its credit) when it runs dry. */
    private final Map<String, Lane<T>> lanes = new LinkedHashMap<>();
    private int size;
    private boolean woken;

    private static final class Lane<T> {
        final ArrayDeque<T> items = new ArrayDeque<>();
        final int weight;
        long credit;

        Lane(int weight) {
            this.weight = weight;
        }
    }

    /** @param weights the weight of a tenant (at least 1) */
    TenantQueue(int capacity, ToIntFunction<String> weights) {
        this.capacity = capacity;
        this.weights = weights;
    }

    /** Queues {@code item} for {@code tenant}; false (and nothing queued) when the queue is full. */
    boolean offer(String tenant, T item) {
        lock.lock();
        try {
            if (size >= capacity) {
                return false;
            }
            lanes.computeIfAbsent(tenant, t -> new Lane<>(Math.max(1, weights.applyAsInt(t)))).items.addLast(item);
            size++;
            nonEmpty.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Removes and returns the next item in fair order if {@code fits} accepts it; otherwise leaves the queue and the
     * credits exactly as they were (the item stays first in line) and returns null.
     */
    T poll(Predicate<? super T> fits) {
        lock.lock();
        try {
            if (size == 0) {
                return null;
            }
            long total = 0;
            Lane<T> best = null;
            for (Lane<T> lane : lanes.values()) {
                total += lane.weight;
                if (best == null || lane.credit + lane.weight > best.credit + best.weight) {
                    best = lane;
                }
            }
            T item = best.items.peekFirst();
            if (!fits.test(item)) {
                return null;
            }
            for (Lane<T> lane : lanes.values()) {
                lane.credit += lane.weight;
            }
            best.credit -= total;
            best.items.removeFirst();
            size--;
            lanes.values().removeIf(lane -> lane.items.isEmpty());
            return item;
        } finally {
            lock.unlock();
        }
    }

    /** Removes every item {@code dead} accepts (cancelled, expired) and hands each to {@code removed}. */
    void removeIf(Predicate<? super T> dead, Consumer<? super T> removed) {
        lock.lock();
        try {
            for (Iterator<Lane<T>> lanesLeft = lanes.values().iterator(); lanesLeft.hasNext(); ) {
                Lane<T> lane = lanesLeft.next();
                for (Iterator<T> items = lane.items.iterator(); items.hasNext(); ) {
                    T item = items.next();
                    if (dead.test(item)) {
                        items.remove();
                        size--;
                        removed.accept(item);
                    }
                }
                if (lane.items.isEmpty()) {
                    lanesLeft.remove();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Waits until something is queued, {@link #wake} is called or the time is up. */
    void awaitWork(long timeoutNanos) throws InterruptedException {
        lock.lock();
        try {
            long left = timeoutNanos;
            while (size == 0 && !woken && left > 0) {
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

    int size() {
        lock.lock();
        try {
            return size;
        } finally {
            lock.unlock();
        }
    }
}
