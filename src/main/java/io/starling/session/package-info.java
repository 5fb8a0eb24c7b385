/**
 * Sessions: conversations kept between requests, each owning a {@link io.starling.kv.PagedKvStore}, with unique
 * ids, an idle TTL, a per-model maximum and pinning while a request runs ({@link io.starling.session.SessionRegistry}).
 * Plain Java, no framework.
 */
package io.starling.session;
