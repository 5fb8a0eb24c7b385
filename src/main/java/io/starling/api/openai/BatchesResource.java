package io.starling.api.openai;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.smallrye.common.annotation.Blocking;
import io.starling.api.error.ApiException;
import io.starling.batch.BatchObject;
import io.starling.batch.BatchService;
import io.starling.batch.ListPage;
import io.starling.telemetry.RequestRecord;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.util.Map;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

/**
 * OpenAI's Batch API: {@code POST /v1/batches} (an uploaded input file, the endpoint its lines call, the "24h"
 * window, metadata), {@code GET /v1/batches[/{id}]} and {@code POST /v1/batches/{id}/cancel}. Batches belong to the
 * tenant that created them ({@link BatchService#owner}); the work runs in {@link io.starling.batch.BatchManager}.
 * Blocking: every call reads or writes the state on disk.
 */
@Path("/v1/batches")
public class BatchesResource {

    /** The body of {@code POST /v1/batches}. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record CreateBatchRequest(String inputFileId, String endpoint, String completionWindow,
                                     Map<String, String> metadata) {
    }

    private final BatchService batches;

    BatchesResource(BatchService batches) {
        this.batches = batches;
    }

    @POST
    @Blocking
    @Consumes(MediaType.APPLICATION_JSON)
    public BatchObject create(CreateBatchRequest request, RoutingContext http) throws IOException {
        if (request == null) {
            throw ApiException.invalid(null, "the request body must be a JSON object");
        }
        return batches.manager().create(owner(http), request.inputFileId(), request.endpoint(),
                request.completionWindow(), request.metadata());
    }

    @GET
    @Path("{id}")
    @Blocking
    public BatchObject get(@RestPath String id, RoutingContext http) {
        return batches.manager().get(owner(http), id);
    }

    /** Newest first; {@code after} is the last id of the previous page, {@code limit} 1 to 100 (default 20). */
    @GET
    @Blocking
    public ListPage<BatchObject> list(@RestQuery String after, @RestQuery String limit, RoutingContext http) {
        return batches.manager().list(owner(http), after, Limits.of(limit, 20, 100));
    }

    @POST
    @Path("{id}/cancel")
    @Blocking
    public BatchObject cancel(@RestPath String id, RoutingContext http) throws IOException {
        return batches.manager().cancel(owner(http), id);
    }

    private String owner(RoutingContext http) {
        return batches.owner(RequestRecord.of(http));
    }
}
