package io.starling.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PerMinuteLimiterTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void aMinutesAllowanceThenTheSteadyRatePerTenant() {
        PerMinuteLimiter limiter = new PerMinuteLimiter(6); // one every 10 s
        long t = 0;
        for (int i = 0; i < 6; i++) {
            assertThat(limiter.acquire("a", 1, t)).isZero();
        }
        assertThat(limiter.acquire("a", 1, t)).isEqualTo(10);
        assertThat(limiter.acquire("b", 1, t)).as("another tenant has its own allowance").isZero();
        assertThat(limiter.acquire("a", 1, t + 9 * SECOND)).isEqualTo(1);
        assertThat(limiter.acquire("a", 1, t + 10 * SECOND)).isZero();
    }

    @Test
    void largerCostsWaitForEnoughAllowance() {
        PerMinuteLimiter limiter = new PerMinuteLimiter(600); // ten a second
        assertThat(limiter.acquire("a", 500, 0)).isZero();
        assertThat(limiter.acquire("a", 300, 0)).as("100 left, 200 more take 20 s").isEqualTo(20);
        assertThat(limiter.acquire("a", 300, 20 * SECOND)).isZero();
    }

    @Test
    void whatWasNotUsedComesBackButNeverBeyondAFullBucket() {
        PerMinuteLimiter limiter = new PerMinuteLimiter(100);
        assertThat(limiter.acquire("a", 100, 0)).isZero();
        assertThat(limiter.acquire("a", 1, 0)).isPositive();
        limiter.refund("a", 70, 0);
        assertThat(limiter.acquire("a", 70, 0)).isZero();
        limiter.refund("a", 1_000, 0);
        assertThat(limiter.acquire("a", 100, 0)).isZero();
        assertThat(limiter.acquire("a", 1, 0)).as("a refund never exceeds a minute's allowance").isPositive();
    }

    @Test
    void moreThanAMinutesAllowanceCanNeverBeTaken() {
        assertThatThrownBy(() -> new PerMinuteLimiter(10).acquire("a", 11, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
