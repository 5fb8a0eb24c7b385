/**
 * The paged KV cache: one off-heap {@link io.starling.kv.KvArena} per model, under a hard byte cap, hands out
 * fixed-size pages to {@link io.starling.kv.PagedKvStore}s (one per sequence or session, a
 * {@link io.starling.model.KvStore} the forward pass reads and writes). Idle stores are evicted least recently used
 * first, to a CRC32C-checked spill file or dropped; pinned (in-flight) ones never are. Full pages are shared by
 * content between prompts with a common prefix, reference counted. {@link io.starling.kv.KvArena}'s class comment
 * gives the life cycle a scheduler follows. Plain Java, no framework.
 */
package io.starling.kv;
