package io.starling.engine;

/** No model is loaded to serve the request (still starting, failed to load, or being unloaded): 503. */
public final class ModelUnavailableException extends RuntimeException {
    public ModelUnavailableException() {
        this("the model is not loaded yet; retry when /ready answers 200");
    }

    public ModelUnavailableException(String message) {
        super(message);
    }
}
