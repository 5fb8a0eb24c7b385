package io.starling.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.starling.api.error.ApiException;
import io.starling.api.inference.Ids;
import io.starling.pipeline.Pipelines;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The batches of the HTTP batch API and the one worker that runs them, oldest first, on {@link BatchModels} (the
 * server's registry at background priority). Everything lives under one directory and survives a restart:
 *
 * <pre>
 * DIR/files/           uploaded files and batch outputs ({@link FileStore})
 * DIR/batches/ID/batch.json     the batch's state and owner, rewritten atomically at every change
 * DIR/batches/ID/results.jsonl  its result lines as they complete, with the progress journal ({@link Checkpoint})
 * </pre>
 *
 * On start, a batch that was validating, in progress or finalizing continues where its checkpoint stands (each
 * custom_id answered once), and one that was cancelling is cancelled. A batch past its completion window (24 h from
 * creation, as OpenAI has it) stops, keeps what it has and is {@code expired}. When a batch ends, its results are
 * split as OpenAI splits them: answers with status 200 into the output file, all others into the error file.
 */
public final class BatchManager implements AutoCloseable {

    /**
     * @param dir              the state directory
     * @param maxRequests      requests one batch file may hold
     * @param maxInFlight      requests of the running batch in flight at once
     * @param completionWindow how long the one window OpenAI offers ("24h") really is: a batch not done by then expires
     */
    public record Settings(Path dir, long maxFileBytes, int maxRequests, int maxInFlight, Duration completionWindow) {
    }

    /** The one completion window the OpenAI Batch API accepts. */
    public static final String WINDOW = "24h";
    private static final int MAX_METADATA_PAIRS = 16;
    /** Queued by {@link #close} to wake the worker; no batch has this id. */
    private static final String STOP = "";

    /**
     * A batch and its owner, as kept on disk; the ids its output and error files will have are fixed up front.
     * {@code order} is its creation time in milliseconds made unique, so lists keep creation order within a second.
     */
    record Entry(String tenant, BatchObject batch, String outputFileId, String errorFileId, long order) {
    }

    private final Settings settings;
    private final BatchModels models;
    private final Pipelines pipelines;
    /** Reads request lines with the server's strict rules, and writes state and result lines. */
    private final ObjectMapper mapper;
    private final FileStore files;
    private final Path batchesDir;
    private final Map<String, Entry> batches = new ConcurrentHashMap<>();
    private final CreationOrder order = new CreationOrder();
    private final BatchMetrics metrics;
    private final LinkedBlockingQueue<String> queue = new LinkedBlockingQueue<>();
    private final Thread worker;
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("starling-batch-ticker").daemon(true).factory());
    /** The batch the worker runs now, and its feeder (null between batches). */
    private volatile String currentId;
    private volatile LineFeeder currentFeeder;
    private volatile boolean expiring;
    private volatile boolean closed;

    /** Opens the state in {@code settings.dir()}, and queues every batch an earlier run left unfinished. */
    public BatchManager(Settings settings, BatchModels models, Pipelines pipelines, ObjectMapper mapper, MeterRegistry meters)
            throws IOException {
        this.settings = settings;
        this.models = models;
        this.pipelines = pipelines;
        this.mapper = mapper;
        this.files = new FileStore(settings.dir().resolve("files"), mapper);
        this.batchesDir = settings.dir().resolve("batches");
        Files.createDirectories(batchesDir);
        recover();
        this.metrics = new BatchMetrics(meters, this::countByStatus);
        this.worker = Thread.ofPlatform().name("starling-batch").daemon(true).unstarted(this::work);
    }

    /** Starts running batches. */
    public void start() {
        worker.start();
        ticker.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
    }

    private void recover() throws IOException {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(batchesDir, Files::isDirectory)) {
            for (Path dir : dirs) {
                Path state = dir.resolve("batch.json");
                if (!Files.exists(state)) {
                    continue; // created and never saved: nobody was told of it
                }
                Entry entry = mapper.readValue(state.toFile(), Entry.class);
                batches.put(entry.batch().id, entry);
                order.seen(entry.order());
            }
        }
        batches.values().stream().filter(e -> !e.batch().status.terminal())
                .sorted(Comparator.comparingLong(Entry::order))
                .forEach(e -> {
                    Log.infof("batch %s was %s when the server stopped: it continues", e.batch().id,
                            e.batch().status.wireName());
                    queue.add(e.batch().id);
                });
    }

    // ---- files

    public FileStore files() {
        return files;
    }

    public long maxFileBytes() {
        return settings.maxFileBytes();
    }

    // ---- the API's operations, each on behalf of a tenant

    /** {@code POST /v1/batches}: checks the request, saves the batch as {@code validating} and queues it. */
    public BatchObject create(String tenant, String inputFileId, String endpointUrl, String window,
                              Map<String, String> metadata) throws IOException {
        if (inputFileId == null || inputFileId.isBlank()) {
            throw ApiException.invalid("input_file_id", "input_file_id is required: the id of a file uploaded with purpose 'batch'");
        }
        FileObject input = files.get(tenant, inputFileId).orElseThrow(() -> fileNotFound(inputFileId, "input_file_id"));
        if (!FileObject.BATCH.equals(input.purpose())) {
            throw ApiException.invalid("input_file_id", "the file " + inputFileId + " has purpose '" + input.purpose()
                    + "'; a batch's input file must be uploaded with purpose 'batch'");
        }
        if (Endpoint.of(endpointUrl).isEmpty()) {
            throw ApiException.invalid("endpoint", "endpoint must be one of " + Arrays.stream(Endpoint.values())
                    .map(e -> e == Endpoint.PIPELINES ? e.url() + "{name}" : e.url()).toList()
                    + ", got " + (endpointUrl == null ? "nothing" : "'" + endpointUrl + "'"));
        }
        if (!WINDOW.equals(window)) {
            throw ApiException.invalid("completion_window", "completion_window must be '" + WINDOW + "', got "
                    + (window == null ? "nothing" : "'" + window + "'"));
        }
        checkMetadata(metadata);
        BatchObject batch = new BatchObject();
        batch.id = Ids.of("batch_");
        batch.endpoint = endpointUrl;
        batch.inputFileId = inputFileId;
        batch.completionWindow = window;
        batch.status = BatchObject.Status.VALIDATING;
        batch.createdAt = Ids.nowSeconds();
        batch.expiresAt = batch.createdAt + settings.completionWindow().toSeconds();
        batch.metadata = metadata == null ? null : Map.copyOf(metadata);
        Entry entry = new Entry(tenant, batch, Ids.of("file-"), Ids.of("file-"), order.next());
        Files.createDirectories(dirOf(batch.id));
        save(entry);
        batches.put(batch.id, entry);
        queue.add(batch.id);
        return batch.copy();
    }

    private static void checkMetadata(Map<String, String> metadata) {
        if (metadata == null) {
            return;
        }
        if (metadata.size() > MAX_METADATA_PAIRS) {
            throw ApiException.invalid("metadata", "metadata holds at most " + MAX_METADATA_PAIRS + " key-value pairs");
        }
        metadata.forEach((key, value) -> {
            if (key.length() > 64 || value == null || value.length() > 512) {
                throw ApiException.invalid("metadata", "metadata keys are at most 64 characters and values strings of at most 512");
            }
        });
    }

    /** {@code GET /v1/batches/{id}}. */
    public BatchObject get(String tenant, String id) {
        Entry entry = entry(tenant, id);
        synchronized (entry) {
            return entry.batch().copy();
        }
    }

    /** {@code GET /v1/batches}: the tenant's batches, newest first, a page at a time. */
    public ListPage<BatchObject> list(String tenant, String after, int limit) {
        List<BatchObject> all = batches.values().stream().filter(e -> e.tenant().equals(tenant))
                .sorted(Comparator.comparingLong(Entry::order).reversed())
                .map(e -> {
                    synchronized (e) {
                        return e.batch().copy();
                    }
                })
                .toList();
        return ListPage.of(all, BatchObject::id, after, limit);
    }

    /**
     * {@code POST /v1/batches/{id}/cancel}: a batch not yet ended is {@code cancelling} at once; requests in flight
     * finish, nothing new starts, and the batch is {@code cancelled} with what it has. An ended batch cannot be
     * cancelled (409); cancelling twice is no error.
     */
    public BatchObject cancel(String tenant, String id) throws IOException {
        Entry entry = entry(tenant, id);
        synchronized (entry) {
            BatchObject batch = entry.batch();
            if (batch.status.terminal() && batch.status != BatchObject.Status.CANCELLED || batch.status == BatchObject.Status.FINALIZING) {
                throw new ApiException(409, "invalid_request_error", null, "batch_not_cancellable",
                        "the batch " + id + " is " + batch.status.wireName() + " and can no longer be cancelled");
            }
            if (batch.status == BatchObject.Status.VALIDATING || batch.status == BatchObject.Status.IN_PROGRESS) {
                batch.status = BatchObject.Status.CANCELLING;
                batch.cancellingAt = Ids.nowSeconds();
                save(entry);
            }
            LineFeeder feeder = currentFeeder;
            if (id.equals(currentId) && feeder != null) {
                feeder.stop();
            }
            return batch.copy();
        }
    }

    private Entry entry(String tenant, String id) {
        Entry entry = id == null ? null : batches.get(id);
        if (entry == null || !entry.tenant().equals(tenant)) {
            throw new ApiException(404, "invalid_request_error", null, "not_found", "No batch found with id '" + id + "'");
        }
        return entry;
    }

    /** 404 for a file id the tenant has no file of. */
    public static ApiException fileNotFound(String id, String param) {
        return new ApiException(404, "invalid_request_error", param, "not_found", "No such File object: " + id);
    }

    // ---- the worker

    private void work() {
        while (!closed) {
            String id;
            try {
                id = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (closed) {
                return;
            }
            Entry entry = batches.get(id);
            try {
                run(entry);
            } catch (IOException | RuntimeException e) {
                if (closed) {
                    return;
                }
                Log.errorf(e, "batch %s failed", id);
                // the server's paths stay in the log; the client learns what it can act on
                fail(entry, e instanceof java.nio.file.NoSuchFileException ? inputDeleted(entry)
                        : new BatchObject.Error("batch_failed", "the batch could not be run (see the server's log)", null, null));
            } catch (InterruptedException e) {
                return;
            } finally {
                currentId = null;
                currentFeeder = null;
            }
        }
    }

    private void run(Entry entry) throws IOException, InterruptedException {
        BatchObject batch = entry.batch();
        currentId = batch.id;
        expiring = false;
        if (status(entry) == BatchObject.Status.VALIDATING && !stoppedBeforeRunning(entry)) {
            validate(entry);
        }
        if (status(entry) == BatchObject.Status.IN_PROGRESS && !stoppedBeforeRunning(entry)) {
            boolean early = feed(entry);
            if (closed) {
                return; // the server stops: the batch stays in progress and resumes on the next start
            }
            if (!early) {
                transition(entry, BatchObject.Status.FINALIZING);
            }
        }
        switch (status(entry)) {
            case FINALIZING -> finish(entry, BatchObject.Status.COMPLETED);
            case CANCELLING -> finish(entry, BatchObject.Status.CANCELLED);
            case IN_PROGRESS, VALIDATING -> finish(entry, BatchObject.Status.EXPIRED);
            default -> {
                // failed in validation: nothing to write
            }
        }
    }

    /** Whether the batch is to stop before it (re)starts: cancelled, or past its window (it then expires). */
    private boolean stoppedBeforeRunning(Entry entry) {
        synchronized (entry) {
            return entry.batch().status == BatchObject.Status.CANCELLING || pastWindow(entry.batch());
        }
    }

    private static boolean pastWindow(BatchObject batch) {
        return Ids.nowSeconds() >= batch.expiresAt;
    }

    private void validate(Entry entry) throws IOException {
        Path input = files.content(entry.batch().inputFileId);
        if (!Files.exists(input)) {
            fail(entry, inputDeleted(entry));
            return;
        }
        BatchValidation.Result result = BatchValidation.validate(input, mapper, settings.maxRequests());
        if (!result.errors().isEmpty()) {
            synchronized (entry) {
                entry.batch().errors = BatchObject.Errors.of(result.errors());
            }
            transition(entry, BatchObject.Status.FAILED);
            return;
        }
        synchronized (entry) {
            BatchObject batch = entry.batch();
            if (batch.status != BatchObject.Status.VALIDATING) {
                return; // cancelled meanwhile
            }
            batch.requestCounts = new BatchObject.RequestCounts(result.requests(), 0, 0);
            batch.status = BatchObject.Status.IN_PROGRESS;
            batch.inProgressAt = Ids.nowSeconds();
            save(entry);
        }
    }

    /** Runs the batch's requests from its checkpoint on; true if it stopped early (cancelled, expired, shut down). */
    private boolean feed(Entry entry) throws IOException, InterruptedException {
        BatchObject batch = entry.batch();
        Path input = files.content(batch.inputFileId);
        long total = batch.requestCounts.total();
        try (Checkpoint checkpoint = Checkpoint.open(results(batch.id), header(batch, total), total)) {
            checkpoint.notes().forEach(note -> Log.infof("batch %s: %s", batch.id, note));
            recount(entry, results(batch.id));
            RequestRunner runner = new RequestRunner(models, entry.tenant(), mapper, new PrintWriter(new LogWriter(batch.id)),
                    () -> { }, pipelines);
            LineFeeder feeder = new LineFeeder(mapper, runner, checkpoint, settings.maxInFlight(),
                    (line, prompt, generated) -> recorded(entry, line.succeeded(), prompt, generated));
            currentFeeder = feeder;
            if (closed || status(entry) != BatchObject.Status.IN_PROGRESS) {
                // cancelled or shut down while it was being opened, before cancel() could see the feeder
                feeder.stop();
            }
            boolean early = feeder.feed(input, Shard.ALL, 0, batch.endpoint);
            synchronized (entry) {
                save(entry); // the counts as they stand, also when the server stops here
            }
            return early || expiring;
        }
    }

    private void recorded(Entry entry, boolean succeeded, long prompt, long generated) {
        synchronized (entry) {
            BatchObject.RequestCounts counts = entry.batch().requestCounts;
            entry.batch().requestCounts = new BatchObject.RequestCounts(counts.total(),
                    counts.completed() + (succeeded ? 1 : 0), counts.failed() + (succeeded ? 0 : 1));
        }
        metrics.recorded(succeeded, prompt, generated);
    }

    /** Sets the request counts from the result lines on disk (after a restart the saved ones may lag behind). */
    private void recount(Entry entry, Path results) throws IOException {
        long completed = 0;
        long failed = 0;
        if (Files.exists(results)) {
            try (JsonLines lines = new JsonLines(results)) {
                for (JsonLines.Line line = lines.next(); line != null; line = lines.next()) {
                    if (succeeded(mapper.readTree(line.bytes()))) {
                        completed++;
                    } else {
                        failed++;
                    }
                }
            }
        }
        synchronized (entry) {
            BatchObject batch = entry.batch();
            batch.requestCounts = new BatchObject.RequestCounts(batch.requestCounts.total(), completed, failed);
        }
    }

    private static boolean succeeded(JsonNode line) {
        JsonNode response = line.get("response");
        return response != null && response.path("status_code").asInt() == 200;
    }

    /**
     * Ends the batch as {@code status}: its results in input order, split into the output file (answers with
     * status 200) and the error file (the rest), each made only when it has a line. Safe to repeat after a crash at
     * any point: the files' ids were fixed when the batch was created, and the state is saved last.
     */
    private void finish(Entry entry, BatchObject.Status status) throws IOException {
        BatchObject batch = entry.batch();
        Path results = results(batch.id);
        if (Checkpoint.interrupted(results)) {
            long total = batch.requestCounts.total();
            try (Checkpoint checkpoint = Checkpoint.open(results, header(batch, total), total)) {
                checkpoint.finish();
            }
        }
        String outputId = null;
        String errorId = null;
        if (Files.exists(results)) {
            recount(entry, results);
            Path output = dirOf(batch.id).resolve("output.jsonl");
            Path errors = dirOf(batch.id).resolve("errors.jsonl");
            long[] counts = split(results, output, errors);
            if (counts[0] > 0) {
                outputId = files.put(entry.tenant(), entry.outputFileId(), batch.id + "_output.jsonl",
                        FileObject.BATCH_OUTPUT, output).id();
            }
            if (counts[1] > 0) {
                errorId = files.put(entry.tenant(), entry.errorFileId(), batch.id + "_error.jsonl",
                        FileObject.BATCH_OUTPUT, errors).id();
            }
            Files.deleteIfExists(output);
            Files.deleteIfExists(errors);
        }
        synchronized (entry) {
            batch.outputFileId = outputId;
            batch.errorFileId = errorId;
            long now = Ids.nowSeconds();
            if (status == BatchObject.Status.COMPLETED) {
                batch.completedAt = now;
            } else if (status == BatchObject.Status.CANCELLED) {
                batch.cancelledAt = now;
            } else if (status == BatchObject.Status.EXPIRED) {
                batch.expiredAt = now;
            }
            batch.status = status;
            save(entry);
        }
        Files.deleteIfExists(results);
    }

    /** Copies each line of {@code results} to {@code output} or {@code errors}; the two line counts. */
    private long[] split(Path results, Path output, Path errors) throws IOException {
        long[] counts = new long[2];
        try (JsonLines lines = new JsonLines(results);
             BufferedWriter ok = Files.newBufferedWriter(output, StandardCharsets.UTF_8);
             BufferedWriter failed = Files.newBufferedWriter(errors, StandardCharsets.UTF_8)) {
            for (JsonLines.Line line = lines.next(); line != null; line = lines.next()) {
                boolean success = succeeded(mapper.readTree(line.bytes()));
                BufferedWriter target = success ? ok : failed;
                target.write(new String(line.bytes(), StandardCharsets.UTF_8));
                target.write('\n');
                counts[success ? 0 : 1]++;
            }
        }
        return counts;
    }

    private static BatchObject.Error inputDeleted(Entry entry) {
        return new BatchObject.Error("input_file_deleted", "the input file " + entry.batch().inputFileId
                + " was deleted before the batch could read it", "input_file_id", null);
    }

    private void fail(Entry entry, BatchObject.Error error) {
        synchronized (entry) {
            entry.batch().errors = BatchObject.Errors.of(List.of(error));
        }
        try {
            transition(entry, BatchObject.Status.FAILED);
        } catch (IOException e) {
            Log.errorf(e, "cannot save the state of batch %s", entry.batch().id);
        }
    }

    private void transition(Entry entry, BatchObject.Status status) throws IOException {
        synchronized (entry) {
            BatchObject batch = entry.batch();
            if (batch.status == BatchObject.Status.CANCELLING && status != BatchObject.Status.FAILED) {
                return; // a cancel came first: the batch ends as cancelled
            }
            long now = Ids.nowSeconds();
            switch (status) {
                case FINALIZING -> batch.finalizingAt = now;
                case FAILED -> batch.failedAt = now;
                default -> {
                }
            }
            batch.status = status;
            save(entry);
        }
    }

    private static BatchObject.Status status(Entry entry) {
        synchronized (entry) {
            return entry.batch().status;
        }
    }

    /** Every second: the running batch's counts to disk, and its stop when its window has passed. */
    private void tick() {
        String id = currentId;
        Entry entry = id == null ? null : batches.get(id);
        if (entry == null) {
            return;
        }
        try {
            synchronized (entry) {
                save(entry);
            }
            LineFeeder feeder = currentFeeder;
            if (feeder != null && pastWindow(entry.batch()) && !expiring) {
                Log.infof("batch %s has passed its completion window: it expires with what it has", id);
                expiring = true;
                feeder.stop();
            }
        } catch (IOException | RuntimeException e) {
            Log.errorf(e, "cannot save the state of batch %s", id);
        }
    }

    private void save(Entry entry) throws IOException {
        JsonFiles.writeAtomically(mapper, dirOf(entry.batch().id).resolve("batch.json"), entry);
    }

    private Path dirOf(String id) {
        return batchesDir.resolve(id);
    }

    private Path results(String id) {
        return dirOf(id).resolve("results.jsonl");
    }

    /** The checkpoint's identity: a journal of another batch or input is never continued. */
    private String header(BatchObject batch, long total) throws IOException {
        Map<String, Object> identity = new LinkedHashMap<>();
        identity.put("starling_batch_api", 1);
        identity.put("batch", batch.id);
        identity.put("input_file_id", batch.inputFileId);
        identity.put("requests", total);
        return mapper.writeValueAsString(identity);
    }

    private Map<BatchObject.Status, Long> countByStatus() {
        Map<BatchObject.Status, Long> counts = new EnumMap<>(BatchObject.Status.class);
        for (Entry entry : batches.values()) {
            counts.merge(status(entry), 1L, Long::sum);
        }
        return counts;
    }

    /**
     * Stops the worker: the running batch's requests in flight are cancelled and not recorded, and the batch stays
     * where its checkpoint is, to continue on the next start over the same directory. Waits for the worker to end.
     */
    @Override
    public void close() {
        closed = true;
        ticker.shutdownNow();
        LineFeeder feeder = currentFeeder;
        if (feeder != null) {
            feeder.abandon();
        }
        // wakes a worker waiting for work; one in a batch sees the abandoned feeder (no interrupt: it would close the
        // checkpoint's channels under a write)
        queue.add(STOP);
        try {
            worker.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A request's server fault, written by the runner and flushed once, goes to the log as one message. */
    private static final class LogWriter extends StringWriter {
        private final String batchId;

        LogWriter(String batchId) {
            this.batchId = batchId;
        }

        @Override
        public void flush() {
            StringBuffer buffer = getBuffer();
            if (!buffer.isEmpty()) {
                Log.errorf("batch %s: %s", batchId, buffer.toString().strip());
                buffer.setLength(0);
            }
        }
    }
}
