package io.starling.api.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.starling.api.error.ApiException;
import io.starling.api.error.ErrorBody;
import io.starling.batch.BatchManager;
import io.starling.batch.BatchService;
import io.starling.batch.FileObject;
import io.starling.batch.FileStore;
import io.starling.telemetry.RequestRecord;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerFileUpload;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * {@code POST /v1/files}: a multipart form with {@code file} and {@code purpose} ({@code batch}, the only purpose
 * this server has a use for). The file part is streamed to disk as it arrives, never held in memory, and may be as
 * large as {@code starling.batch.max-file-bytes}, beyond the body limit of every other request
 * ({@code starling.server.max-body-bytes}): so this route answers uploads itself, after authentication and before
 * the body limit. An upload that declares a larger length is refused (413) before it is stored; one sent in chunks
 * without a length is refused once it has passed the limit.
 */
@ApplicationScoped
public class FileUploadRoute {

    /** After the access filter (tenant, rate limit), before the body limit (BodyLimit, MIN + 100). */
    private static final int ORDER = Integer.MIN_VALUE + 50;
    /** Room for the form's boundaries, headers and the purpose field around the file's own bytes. */
    private static final long FORM_OVERHEAD = 64 * 1024;
    /**
     * How long the file part may take to end once the request has: its last writes reach the disk within
     * milliseconds, but a form cut off before its closing boundary leaves the part open for ever.
     */
    private static final long UNFINISHED_PART_MS = 10_000;

    private final BatchService batches;
    private final ObjectMapper mapper;

    FileUploadRoute(BatchService batches, ObjectMapper mapper) {
        this.batches = batches;
        this.mapper = mapper;
    }

    void register(@Observes Router router) {
        router.post("/v1/files").order(ORDER).handler(this::upload);
    }

    private void upload(RoutingContext context) {
        HttpServerRequest request = context.request();
        BatchManager manager;
        try {
            manager = batches.manager();
        } catch (ApiException unavailable) {
            refuse(context, unavailable);
            return;
        }
        long limit = manager.maxFileBytes();
        String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
            refuse(context, ApiException.invalid(null, "upload the file as multipart/form-data with the fields 'file' and 'purpose'"));
            return;
        }
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null && declaredLength(length) > limit + FORM_OVERHEAD) {
            refuse(context, tooLarge(limit));
            return;
        }
        FileStore store = manager.files();
        Path temp = store.newUpload();
        Upload upload = new Upload();
        request.setExpectMultipart(true);
        request.uploadHandler(part -> {
            if (!"file".equals(part.name()) || upload.written != null) {
                part.handler(ignored -> { }); // any other file part is read and dropped
                return;
            }
            upload.filename = part.filename();
            upload.part = part;
            upload.written = part.streamToFileSystem(temp.toString());
        });
        request.endHandler(ended -> {
            Future<Void> written = upload.written != null ? finished(context, upload) : Future.succeededFuture();
            String purpose = request.formAttributes().get("purpose");
            String tenant = batches.owner(RequestRecord.of(context));
            written.compose(done -> context.vertx().executeBlocking(() -> store(store, tenant, temp, upload, purpose, limit)))
                    .onSuccess(file -> respond(context, 200, file))
                    .onFailure(failure -> {
                        deleteQuietly(temp);
                        refuse(context, failure instanceof ApiException api ? api
                                : new ApiException(500, "server_error", null, null, "the upload could not be stored: " + failure.getMessage()));
                    });
        });
        request.exceptionHandler(failure -> deleteQuietly(temp));
    }

    /**
     * The file part's write once the request has ended, or a 400 when the part does not end: a form whose body
     * stops before its closing boundary (the request complete by its length) would otherwise wait for ever, its
     * temporary file open.
     */
    private static Future<Void> finished(RoutingContext context, Upload upload) {
        if (upload.written.isComplete()) {
            return upload.written;
        }
        Promise<Void> finished = Promise.promise();
        long timer = context.vertx().setTimer(UNFINISHED_PART_MS, id -> {
            if (finished.tryFail(ApiException.invalid("file", "the multipart form ended before its 'file' part did"
                    + " (no closing boundary)"))) {
                try {
                    upload.part.cancelStreamToFileSystem(); // closes and deletes the temporary file
                } catch (IllegalStateException alreadyWritten) {
                    // it ended just now; the refusal deletes the file
                }
            }
        });
        upload.written.onComplete(result -> {
            context.vertx().cancelTimer(timer);
            if (result.succeeded()) {
                finished.tryComplete();
            } else {
                finished.tryFail(result.cause());
            }
        });
        return finished.future();
    }

    /** On a worker thread: the complete upload checked and moved into the store. */
    private static FileObject store(FileStore store, String tenant, Path temp, Upload upload, String purpose, long limit)
            throws IOException {
        if (upload.written == null) {
            throw ApiException.invalid("file", "the form has no 'file' part");
        }
        if (purpose == null || purpose.isBlank()) {
            throw ApiException.invalid("purpose", "purpose is required; this server takes files with purpose 'batch'");
        }
        if (!FileObject.BATCH.equals(purpose)) {
            throw ApiException.invalid("purpose", "this server takes files with purpose 'batch' only, got '" + purpose + "'");
        }
        if (Files.size(temp) > limit) {
            throw tooLarge(limit);
        }
        String filename = upload.filename == null || upload.filename.isBlank() ? "upload.jsonl" : upload.filename;
        return store.add(tenant, filename, purpose, temp);
    }

    private static ApiException tooLarge(long limit) {
        return new ApiException(413, "invalid_request_error", "file", "file_too_large",
                "The file is larger than this server accepts (" + limit + " bytes, starling.batch.max-file-bytes)");
    }

    private static long declaredLength(String length) {
        try {
            return Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Answers with the error once the request has been read to its end, so the client sees the answer. */
    private void refuse(RoutingContext context, ApiException error) {
        HttpServerRequest request = context.request();
        String body = json(ErrorBody.of(error.getMessage(), error.type(), error.param(), error.code()));
        if (request.isEnded()) {
            send(context, error.status(), body);
            return;
        }
        request.handler(ignored -> { });
        request.endHandler(ignored -> send(context, error.status(), body));
        request.resume();
    }

    private void respond(RoutingContext context, int status, Object body) {
        send(context, status, json(body));
    }

    private static void send(RoutingContext context, int status, String body) {
        if (!context.response().ended()) {
            context.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body);
        }
    }

    private String json(Object body) {
        try {
            return mapper.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteQuietly(Path temp) {
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            // a leftover upload is removed when the store next opens
        }
    }

    /** What the form has brought so far (touched on the request's event loop only). */
    private static final class Upload {
        String filename;
        HttpServerFileUpload part;
        Future<Void> written;
    }
}
