package io.starling.batch;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.starling.api.error.ApiException;
import io.starling.api.json.StrictJson;
import io.starling.api.pipeline.PipelineCatalog;
import io.starling.config.StarlingConfig;
import io.starling.engine.GenerationRequest;
import io.starling.registry.ModelRegistry;
import io.starling.security.ApiAccessFilter;
import io.starling.telemetry.RequestRecord;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The server's {@link BatchManager}, from {@code starling.batch.*}: opened once the models are loaded (batches left
 * unfinished continue then), closed before the engines stop (so no request of a batch is recorded as failed by the
 * shutdown: they run again on the next start).
 */
@ApplicationScoped
public class BatchService {

    private final StarlingConfig config;
    private final ModelRegistry registry;
    private final ApiAccessFilter access;
    private final MeterRegistry meters;
    private final PipelineCatalog pipelines;
    private volatile BatchManager manager;
    /** Why there is no manager (the directory could not be opened), for the 503 of every batch call. */
    private volatile String unavailable = "the batch API has not started yet";

    BatchService(StarlingConfig config, ModelRegistry registry, ApiAccessFilter access, MeterRegistry meters,
                 PipelineCatalog pipelines) {
        this.config = config;
        this.registry = registry;
        this.access = access;
        this.meters = meters;
        this.pipelines = pipelines;
    }

    /** After the registry has loaded the models (its observer has the default priority). */
    void onStart(@Observes @Priority(Interceptor.Priority.APPLICATION + 1000) StartupEvent event) {
        StarlingConfig.Batch batch = config.batch();
        Path dir = batch.dir().orElseGet(() -> Path.of(System.getProperty("user.home"), ".starling", "batch"));
        BatchManager.Settings settings = new BatchManager.Settings(dir, batch.maxFileBytes(), batch.maxRequests(),
                batch.maxInFlight().orElse(config.scheduler().maxBatchSize()), Duration.ofHours(24));
        // the server's strict rules for request bodies; the state and result lines it writes are plain JSON
        ObjectMapper mapper = StrictJson.newMapper();
        try {
            BatchManager opened = new BatchManager(settings, new RegistryModels(registry), pipelines.pipelines(), mapper,
                    meters);
            opened.start();
            manager = opened;
        } catch (IOException | UncheckedIOException e) {
            // the server still serves its models (a read-only container without a batch volume); every batch call says why not
            unavailable = "the batch API is unavailable: its directory " + dir + " (starling.batch.dir) cannot be used: " + e;
            Log.error(unavailable);
        }
    }

    /** Before the registry stops the engines (its observer has the default priority). */
    void onStop(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) ShutdownEvent event) {
        BatchManager current = manager;
        if (current != null) {
            current.close();
        }
    }

    /** The manager; 503 {@code batch_unavailable} when its directory could not be opened. */
    public BatchManager manager() {
        BatchManager current = manager;
        if (current == null) {
            throw new ApiException(503, "server_error", null, "batch_unavailable", unavailable);
        }
        return current;
    }

    /** Who owns what a request makes: its API key's tenant, or on an open server one tenant for everybody. */
    public String owner(RequestRecord record) {
        return access.identifiesTenants() ? record.tenant() : GenerationRequest.ANONYMOUS;
    }
}
