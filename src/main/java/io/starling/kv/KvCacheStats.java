package io.starling.kv;

/**
 * A snapshot of one arena's memory and what happened to it, for telemetry: the byte fields are gauges
 * ({@code starling_kv_cache_bytes{state=allocated|resident|spilled}}), the counts are monotonic counters.
 *
 * @param capacityBytes       the hard cap
 * @param allocatedBytes      off-heap memory taken from the OS so far (never more than the cap)
 * @param residentBytes       pages holding keys and values: used by stores or kept by the prefix cache
 * @param cachedBytes         the part of {@code residentBytes} no store holds, kept for prefix hits and reclaimed first
 * @param spilledBytes        evicted pages waiting in the spill file
 * @param evictions           idle stores whose cache was evicted (spilled or dropped)
 * @param spilledPages        pages written to the spill file
 * @param restoredPages       pages read back from the spill file with a good checksum
 * @param restoreFailures     spilled caches lost because a page could not be written, failed its checksum or could
 *                            not be read back (that cache was dropped, to be recomputed)
 * @param prefixHitPages      pages a store took from the prefix cache instead of computing them
 * @param cacheFullRejections allocations refused with {@link KvCacheFullException}
 * @param openStores          stores created and not yet closed
 */
public record KvCacheStats(long capacityBytes, long allocatedBytes, long residentBytes, long cachedBytes,
                           long spilledBytes, long evictions, long spilledPages, long restoredPages,
                           long restoreFailures, long prefixHitPages, long cacheFullRejections, int openStores) {
}
