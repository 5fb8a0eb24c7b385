package io.starling.api.inference;

import io.starling.api.error.ApiException;
import io.starling.engine.ModelText;

/** A request's {@code model} must name the served model; absent means the served one, as llama-server does. */
public final class ServedModelCheck {

    private ServedModelCheck() {
    }

    public static void require(String requested, ModelText.Text text) {
        if (requested != null && !requested.isBlank() && !requested.equals(text.model().id())) {
            throw ApiException.modelNotFound(requested);
        }
    }
}
