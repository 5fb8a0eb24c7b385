package io.starling.engine;

/**
 * How urgently the engine takes a piece of work. Interactive requests (the API's) are taken first; background work
 * (jobs of the HTTP batch API) only when no interactive request waits, so a running batch does not delay anyone's
 * first token, yet it is never starved for good ({@link TenantQueue}).
 */
public enum Priority {
    INTERACTIVE,
    BACKGROUND
}
