package io.starling.api.inference;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.util.Set;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * The generating endpoints answer a JSON document, or an SSE stream when the body asks for one, whatever the request's
 * {@code Accept} says, as OpenAI's API does: the official SDKs send {@code Accept: application/json} on every call,
 * streamed ones too. Left to RESTEasy, an endpoint returning a {@code RestMulti<String>} is negotiated as
 * {@code text/plain} (406 for those clients), and declaring both JSON and SSE fails at run time for a {@code RestMulti}.
 */
public class AnyAccept {

    private static final Set<String> GENERATING = Set.of("/v1/chat/completions", "/v1/completions", "/v1/generate");

    @ServerRequestFilter(preMatching = true)
    public void acceptWhatTheBodyAsksFor(ContainerRequestContext request) {
        if ("POST".equals(request.getMethod()) && GENERATING.contains(request.getUriInfo().getPath())) {
            request.getHeaders().putSingle(HttpHeaders.ACCEPT, MediaType.WILDCARD);
        }
    }
}
