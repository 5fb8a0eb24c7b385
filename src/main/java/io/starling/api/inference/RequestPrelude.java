package io.starling.api.inference;

import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.starling.api.error.ApiException;
import io.starling.engine.ModelText;
import io.starling.telemetry.RequestRecord;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.function.Function;

/**
 * What every model endpoint does first: the body must be a JSON object, the model it names must be the served one
 * (absent means the served one, as llama-server does), and the request's record learns the model for the access
 * log.
 */
@ApplicationScoped
public class RequestPrelude {

    private final ModelText modelText;
    private final CurrentVertxRequest http;

    RequestPrelude(ModelText modelText, CurrentVertxRequest http) {
        this.modelText = modelText;
        this.http = http;
    }

    /** The served model's text tools for a request whose body is {@code body} and whose model field is {@code model}. */
    public <T> ModelText.Text open(T body, Function<T, String> model) {
        if (body == null) {
            throw ApiException.invalid(null, "the request body must be a JSON object");
        }
        ModelText.Text text = modelText.get();
        String requested = model.apply(body);
        if (requested != null && !requested.isBlank() && !requested.equals(text.model().id())) {
            throw ApiException.modelNotFound(requested);
        }
        record().model(text.model().id());
        return text;
    }

    /** The access-log record of the request being served on this thread. */
    public RequestRecord record() {
        return RequestRecord.of(http.getCurrent());
    }
}
