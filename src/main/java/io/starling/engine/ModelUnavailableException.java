package io.starling.engine;

/** No model is loaded (still starting, or it failed to load): 503 until the server is ready. */
public final class ModelUnavailableException extends RuntimeException {
    public ModelUnavailableException() {
        super("the model is not loaded yet; retry when /ready answers 200");
    }
}
