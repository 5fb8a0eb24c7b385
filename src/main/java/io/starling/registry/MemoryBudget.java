package io.starling.registry;

/**
 * The memory all deployed model versions may take together: each holds its weights file (mapped) plus its KV cache
 * cap from the moment it loads until it is unloaded. A reservation that does not fit is refused, so a load fails
 * with a clear reason instead of the process running out of memory.
 */
public final class MemoryBudget {

    private static final long MIB = 1024L * 1024;

    private final long limitBytes;
    private long usedBytes;

    /** @param limitBytes the budget; {@link Long#MAX_VALUE} for none */
    public MemoryBudget(long limitBytes) {
        if (limitBytes <= 0) {
            throw new IllegalArgumentException("starling.memory-budget-mb must be positive, got " + limitBytes + " bytes");
        }
        this.limitBytes = limitBytes;
    }

    public static MemoryBudget ofMegabytes(java.util.Optional<Long> mb) {
        return new MemoryBudget(mb.map(m -> m * MIB).orElse(Long.MAX_VALUE));
    }

    /** Takes {@code bytes} for {@code what}, or throws {@link BudgetExceededException} and takes nothing. */
    public synchronized void reserve(long bytes, String what) {
        if (bytes > limitBytes - usedBytes) {
            throw new BudgetExceededException(what + " needs " + mib(bytes) + " MiB (weights + kv-cache-mb) but only "
                    + mib(limitBytes - usedBytes) + " MiB of the memory budget (starling.memory-budget-mb = "
                    + mib(limitBytes) + ") are free");
        }
        usedBytes += bytes;
    }

    public synchronized void release(long bytes) {
        usedBytes -= bytes;
    }

    public synchronized long usedBytes() {
        return usedBytes;
    }

    public boolean limited() {
        return limitBytes != Long.MAX_VALUE;
    }

    public long limitBytes() {
        return limitBytes;
    }

    private static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f", bytes / (double) MIB);
    }

    /** A model version that does not fit the memory budget. */
    public static final class BudgetExceededException extends RuntimeException {
        BudgetExceededException(String message) {
            super(message);
        }
    }
}
