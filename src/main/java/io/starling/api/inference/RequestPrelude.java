package io.starling.api.inference;

import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.starling.api.error.ApiException;
import io.starling.engine.ModelText;
import io.starling.registry.ModelDeployment;
import io.starling.registry.ModelRegistry;
import io.starling.session.UnknownSessionException;
import io.starling.telemetry.RequestRecord;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.function.Function;

/**
 * What every model endpoint does first: the body must be a JSON object, and the model it names is routed to one
 * deployed version ({@code name} by the traffic weights, {@code name@version} pinned, absent: the default model, as
 * llama-server does; a session's turns go to the version the session lives on). The version stays the request's
 * until its response ends (so a drain waits for it), answers in the {@code X-Starling-Model-Version} header, and
 * the request's record learns it for the access log and metrics.
 */
@ApplicationScoped
public class RequestPrelude {

    /** The response header naming the version that answered, {@code name@version}. */
    public static final String VERSION_HEADER = "X-Starling-Model-Version";
    private static final String DEPLOYMENT = ModelDeployment.class.getName();

    private final ModelRegistry registry;
    private final CurrentVertxRequest http;

    RequestPrelude(ModelRegistry registry, CurrentVertxRequest http) {
        this.registry = registry;
        this.http = http;
    }

    /** The routed version's text tools for a request whose body is {@code body} and whose model field is {@code model}. */
    public <T> ModelText.Text open(T body, Function<T, String> model) {
        requireBody(body);
        return admit(registry.route(modelName(registry, model.apply(body))));
    }

    /** The model a request that names {@code requested} (or none: null or blank) is for. */
    public static String modelName(ModelRegistry registry, String requested) {
        return requested != null && !requested.isBlank() ? requested : registry.defaultName().orElseThrow(
                () -> ApiException.invalid("model", "this server serves several models; name one in 'model' (see GET /v1/models)"));
    }

    /** Like {@link #open}, for a turn of session {@code sessionId}: it goes to the version the session lives on. */
    public <T> ModelText.Text openSession(T body, Function<T, String> model, String sessionId)
            throws UnknownSessionException {
        requireBody(body);
        return admit(registry.routeSession(sessionId, model.apply(body)));
    }

    private static void requireBody(Object body) {
        if (body == null) {
            throw ApiException.invalid(null, "the request body must be a JSON object");
        }
    }

    private ModelText.Text admit(ModelDeployment deployment) {
        RoutingContext context = http.getCurrent();
        context.put(DEPLOYMENT, deployment);
        context.addEndHandler(ignored -> registry.release(deployment));
        context.response().putHeader(VERSION_HEADER, deployment.id());
        record().model(deployment.name(), deployment.version());
        return deployment.text();
    }

    /** The version {@link #open} routed the request being served on this thread to. */
    public ModelDeployment deployment() {
        ModelDeployment deployment = http.getCurrent().get(DEPLOYMENT);
        if (deployment == null) {
            throw new IllegalStateException("no model routed for this request: call open() first");
        }
        return deployment;
    }

    /** The access-log record of the request being served on this thread. */
    public RequestRecord record() {
        return RequestRecord.of(http.getCurrent());
    }
}
