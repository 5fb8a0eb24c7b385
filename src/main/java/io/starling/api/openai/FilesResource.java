package io.starling.api.openai;

import io.smallrye.common.annotation.Blocking;
import io.starling.api.error.ApiException;
import io.starling.batch.BatchManager;
import io.starling.batch.BatchService;
import io.starling.batch.FileObject;
import io.starling.batch.FileStore;
import io.starling.batch.ListPage;
import io.starling.telemetry.RequestRecord;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.util.List;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.RestQuery;

/**
 * OpenAI's Files API, as far as batches use it: list, retrieve, download ({@code /content}) and delete. Uploads
 * ({@code POST /v1/files}) are streamed to disk by {@link FileUploadRoute} before any of this runs. A file belongs to
 * the tenant that uploaded it (or whose batch wrote it); to every other tenant it does not exist (404).
 */
@Path("/v1/files")
public class FilesResource {

    private final BatchService batches;

    FilesResource(BatchService batches) {
        this.batches = batches;
    }

    /** The tenant's files, newest first unless {@code order=asc}; {@code purpose} filters, {@code after} pages. */
    @GET
    @Blocking
    public ListPage<FileObject> list(@RestQuery String purpose, @RestQuery String limit, @RestQuery String order,
                                     @RestQuery String after, RoutingContext http) {
        List<FileObject> files = store().list(owner(http), purpose);
        if ("asc".equals(order)) {
            files = files.reversed();
        } else if (order != null && !"desc".equals(order)) {
            throw ApiException.invalid("order", "order must be 'asc' or 'desc', got '" + order + "'");
        }
        return ListPage.of(files, FileObject::id, after, Limits.of(limit, 10_000, 10_000));
    }

    @GET
    @Path("{id}")
    @Blocking
    public FileObject get(@RestPath String id, RoutingContext http) {
        return file(id, http);
    }

    /** The file's bytes, sent from disk, whatever the client accepts (SDKs ask for JSON or anything). */
    @GET
    @Path("{id}/content")
    @Blocking
    public RestResponse<java.nio.file.Path> content(@RestPath String id, RoutingContext http) {
        return RestResponse.ResponseBuilder.ok(store().content(file(id, http).id()), MediaType.APPLICATION_OCTET_STREAM_TYPE)
                .build();
    }

    @DELETE
    @Path("{id}")
    @Blocking
    public FileObject.Deleted delete(@RestPath String id, RoutingContext http) throws IOException {
        if (!store().delete(owner(http), id)) {
            throw BatchManager.fileNotFound(id, "file_id");
        }
        return FileObject.Deleted.of(id);
    }

    private FileObject file(String id, RoutingContext http) {
        return store().get(owner(http), id).orElseThrow(() -> BatchManager.fileNotFound(id, "file_id"));
    }

    private FileStore store() {
        return batches.manager().files();
    }

    private String owner(RoutingContext http) {
        return batches.owner(RequestRecord.of(http));
    }
}
