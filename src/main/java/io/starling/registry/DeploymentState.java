package io.starling.registry;

/** Where a model version is in its life: only {@code READY} ones take new requests. */
public enum DeploymentState {
    /** Being fetched, verified or mapped. */
    LOADING,
    /** Serving. */
    READY,
    /** Taken out of routing; its in-flight requests finish (up to the drain timeout), then it is unloaded. */
    DRAINING,
    /** Could not be loaded; the reason is kept for {@code GET /admin/models}. */
    FAILED,
    /** Its engine is stopped and its memory freed. */
    UNLOADED;

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
