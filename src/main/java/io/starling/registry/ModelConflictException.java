package io.starling.registry;

/** An admin change that contradicts what is deployed (a version that exists already): 409. */
public final class ModelConflictException extends RuntimeException {
    public ModelConflictException(String message) {
        super(message);
    }
}
