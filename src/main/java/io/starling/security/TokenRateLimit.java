package io.starling.security;

import io.starling.api.error.ApiException;
import io.starling.config.StarlingConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code starling.rate-limits.tokens-per-minute}: each tenant's prompt + generated tokens per minute.
 *
 * <p>A request <em>reserves</em> the most it can use (its prompt plus max_tokens for every sequence) when it is
 * admitted, and gets back what it did not use when it ends. Charging only afterwards would let a tenant with a full
 * allowance start any number of long generations at once, all admitted before the first one is charged, so the
 * limit would bound nothing while it matters most; reserving makes it hold at every moment, and the refund keeps
 * short answers from paying for the long ones they could have been. OpenAI counts max_tokens at admission too.
 */
@ApplicationScoped
public class TokenRateLimit {

    private final PerMinuteLimiter tokens;

    TokenRateLimit(StarlingConfig config) {
        this.tokens = new PerMinuteLimiter(config.rateLimits().tokensPerMinute());
    }

    /**
     * Takes {@code maxTokens} from {@code tenant}'s allowance, or refuses the request: 429 with Retry-After when the
     * allowance will allow it later, 429 without when the request alone is larger than a minute's allowance.
     *
     * @param param the field to shorten when the request can never fit (the client's max_tokens or prompt)
     */
    public Reservation reserve(String tenant, long maxTokens, String param) {
        if (!tokens.enabled()) {
            return new Reservation(tenant, 0);
        }
        if (maxTokens > tokens.perMinute()) {
            throw ApiException.rateLimited(param, "Request too large: it may use " + maxTokens + " tokens (prompt + "
                    + "max_tokens for each choice), more than this API key may use in a minute (" + tokens.perMinute()
                    + ", starling.rate-limits.tokens-per-minute). Reduce max_tokens or the prompt.", 0);
        }
        long retryAfter = tokens.acquire(tenant, maxTokens, System.nanoTime());
        if (retryAfter > 0) {
            throw ApiException.rateLimited(null, "Rate limit reached: " + tokens.perMinute()
                    + " tokens per minute (starling.rate-limits.tokens-per-minute); this request may use " + maxTokens
                    + ". Retry after " + retryAfter + " s.", retryAfter);
        }
        return new Reservation(tenant, maxTokens);
    }

    /** Tokens taken from one tenant's allowance for one request, settled once when the request ends. */
    public final class Reservation {
        private final String tenant;
        private final long reserved;
        private final AtomicBoolean settled = new AtomicBoolean();

        private Reservation(String tenant, long reserved) {
            this.tenant = tenant;
            this.reserved = reserved;
        }

        /** The request used {@code used} tokens in all: the rest goes back to the tenant. Later calls do nothing. */
        public void settle(long used) {
            if (settled.compareAndSet(false, true) && reserved > used) {
                tokens.refund(tenant, reserved - used, System.nanoTime());
            }
        }
    }
}
