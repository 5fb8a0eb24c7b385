package io.starling.registry;

/** A request or admin call names a model or version this server does not have: 404 {@code model_not_found}. */
public final class ModelNotFoundException extends RuntimeException {

    private final String model;

    public ModelNotFoundException(String model) {
        this(model, "The model '" + model + "' does not exist or is not served here");
    }

    public ModelNotFoundException(String model, String message) {
        super(message);
        this.model = model;
    }

    public String model() {
        return model;
    }
}
