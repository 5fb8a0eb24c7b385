package io.starling.api.starling;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.smallrye.common.annotation.Blocking;
import io.starling.api.error.ApiException;
import io.starling.api.inference.RequestPrelude;
import io.starling.config.StarlingConfig;
import io.starling.session.UnknownSessionException;
import io.starling.session.SessionLimitException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code POST /v1/session} opens a conversation whose id {@code /v1/generate} continues; {@code POST
 * /v1/session/close} ends one and frees its KV cache at once. Ids are made by the server (unguessable), so a
 * mistyped, closed or expired id is a 404 rather than a silent fresh start without the conversation.
 */
@Path("/v1/session")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class SessionResource {

    public record CreateRequest(String model) {
    }

    /** @param ttlSeconds how long the session lives without use */
    public record Created(@JsonProperty("session_id") String sessionId, String object,
                          @JsonProperty("ttl_seconds") long ttlSeconds) {
    }

    public record CloseRequest(String model, @JsonProperty("session_id") String sessionId) {
    }

    public record Closed(@JsonProperty("session_id") String sessionId, String object, boolean closed) {
    }

    private final RequestPrelude prelude;
    private final long ttlSeconds;

    SessionResource(RequestPrelude prelude, StarlingConfig config) {
        this.prelude = prelude;
        this.ttlSeconds = config.sessions().ttlSeconds();
    }

    @POST
    @Blocking
    public Created create(CreateRequest request) throws SessionLimitException {
        prelude.open(request, CreateRequest::model);
        String id = prelude.deployment().createSession();
        prelude.record().sessionId(id);
        return new Created(id, "session", ttlSeconds);
    }

    @POST
    @Path("/close")
    @Blocking
    public Closed close(CloseRequest request) {
        String id = request == null ? null : request.sessionId();
        if (request != null && (id == null || id.isBlank())) {
            throw ApiException.invalid("session_id", "'session_id' is required");
        }
        prelude.record().sessionId(id);
        try {
            prelude.openSession(request, CloseRequest::model, id);
        } catch (UnknownSessionException e) {
            throw ApiException.sessionNotFound(id);
        }
        if (!prelude.deployment().closeSession(id)) {
            throw ApiException.sessionNotFound(id);
        }
        return new Closed(id, "session", true);
    }
}
