package io.starling.security;

import java.util.concurrent.ConcurrentHashMap;

/**
 * A per-minute allowance per tenant as a token bucket: a tenant holds up to a minute's allowance, refilled
 * continuously, so a burst is allowed once and then the steady rate. One limiter counts requests (cost 1 each),
 * another tokens (cost = what a request may use, partly given back when it used less). Thread-safe; idle tenants'
 * buckets are dropped once they are full again, so the map stays as small as the set of active tenants.
 */
final class PerMinuteLimiter {

    /** Beyond this many buckets the full ones are swept out before a new one is added. */
    private static final int SWEEP_ABOVE = 10_000;

    private final long perMinute;
    private final double perNano;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    PerMinuteLimiter(long perMinute) {
        this.perMinute = perMinute;
        this.perNano = perMinute / 60e9;
    }

    boolean enabled() {
        return perMinute > 0;
    }

    long perMinute() {
        return perMinute;
    }

    /**
     * Takes {@code cost} from the tenant's allowance: 0 when taken, else the whole seconds until it could be (for
     * Retry-After). A cost above a whole minute's allowance can never be taken; callers refuse it before asking.
     */
    long acquire(String tenant, long cost, long nowNanos) {
        if (cost > perMinute) {
            throw new IllegalArgumentException("cost " + cost + " exceeds the allowance of " + perMinute + " per minute");
        }
        if (buckets.size() > SWEEP_ABOVE) {
            buckets.values().removeIf(b -> b.isFull(nowNanos));
        }
        return buckets.computeIfAbsent(tenant, t -> new Bucket(perMinute, nowNanos)).take(cost, nowNanos);
    }

    /** Gives back {@code amount} the tenant took but did not use (never beyond a full bucket). */
    void refund(String tenant, long amount, long nowNanos) {
        Bucket bucket = buckets.get(tenant);
        if (bucket != null && amount > 0) {
            bucket.give(amount, nowNanos);
        }
    }

    private final class Bucket {
        private double available;
        private long updated;

        Bucket(double available, long now) {
            this.available = available;
            this.updated = now;
        }

        synchronized long take(long cost, long now) {
            refill(now);
            if (available >= cost) {
                available -= cost;
                return 0;
            }
            return Math.max(1, (long) Math.ceil((cost - available) / perNano / 1e9));
        }

        synchronized void give(long amount, long now) {
            refill(now);
            available = Math.min(perMinute, available + amount);
        }

        synchronized boolean isFull(long now) {
            refill(now);
            return available >= perMinute;
        }

        private void refill(long now) {
            available = Math.min(perMinute, available + (now - updated) * perNano);
            updated = now;
        }
    }
}
