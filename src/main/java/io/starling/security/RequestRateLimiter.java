package io.starling.security;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Requests per minute per tenant as a token bucket: a tenant holds up to a minute's allowance, refilled
 * continuously, so a burst is allowed once and then the steady rate. Thread-safe; idle tenants' buckets are
 * dropped once they are full again, so the map stays as small as the set of active tenants.
 */
final class RequestRateLimiter {

    private final int perMinute;
    private final double perNano;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    RequestRateLimiter(int perMinute) {
        this.perMinute = perMinute;
        this.perNano = perMinute / 60e9;
    }

    boolean enabled() {
        return perMinute > 0;
    }

    /** 0 when the request may go ahead (and is counted), else the whole seconds until one more is allowed. */
    long acquire(String tenant, long nowNanos) {
        if (buckets.size() > 10_000) {
            buckets.values().removeIf(b -> b.isFull(nowNanos));
        }
        return buckets.computeIfAbsent(tenant, t -> new Bucket(perMinute, nowNanos)).take(nowNanos);
    }

    private final class Bucket {
        private double tokens;
        private long updated;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.updated = now;
        }

        synchronized long take(long now) {
            refill(now);
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return Math.max(1, (long) Math.ceil((1 - tokens) / perNano / 1e9));
        }

        synchronized boolean isFull(long now) {
            refill(now);
            return tokens >= perMinute;
        }

        private void refill(long now) {
            tokens = Math.min(perMinute, tokens + (now - updated) * perNano);
            updated = now;
        }
    }
}
