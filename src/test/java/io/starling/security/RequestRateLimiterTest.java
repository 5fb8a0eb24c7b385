package io.starling.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RequestRateLimiterTest {

    @Test
    void aMinutesAllowanceThenTheSteadyRatePerTenant() {
        RequestRateLimiter limiter = new RequestRateLimiter(6); // one every 10 s
        long t = 0;
        for (int i = 0; i < 6; i++) {
            assertThat(limiter.acquire("a", t)).isZero();
        }
        assertThat(limiter.acquire("a", t)).isEqualTo(10);
        assertThat(limiter.acquire("b", t)).as("another tenant has its own allowance").isZero();
        assertThat(limiter.acquire("a", t + 9_000_000_000L)).isEqualTo(1);
        assertThat(limiter.acquire("a", t + 10_000_000_000L)).isZero();
    }
}
