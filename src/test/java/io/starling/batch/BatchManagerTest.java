package io.starling.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.starling.api.error.ApiException;
import io.starling.api.json.StrictJson;
import io.starling.engine.EngineMetrics;
import io.starling.engine.KvSettings;
import io.starling.engine.ModelText;
import io.starling.engine.Scheduler;
import io.starling.engine.SchedulerSettings;
import io.starling.gguf.GgufFile;
import io.starling.kv.KvDtype;
import io.starling.model.ModelShape;
import io.starling.pipeline.PipelineMetrics;
import io.starling.pipeline.Pipelines;
import io.starling.pipeline.PredictionListener;
import io.starling.pipeline.StageCache;
import io.starling.pipeline.StageTracer;
import io.starling.registry.ServedModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The batch manager without the server, over the embedded model and a scheduler slowed down so a batch takes a
 * while: a batch whose manager stops mid-run continues in a new manager over the same directory and ends with each
 * custom_id once; a batch past its window expires with what it has; one tenant cannot see another's files or batches.
 */
class BatchManagerTest {

    private static final int LINES = 12;
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private GgufFile file;
    private Scheduler scheduler;
    private SchedulerModel model;

    @BeforeEach
    void openModel() throws IOException {
        Path path = BatchFiles.model(dir);
        file = GgufFile.open(path);
        ModelText.Text text = ModelText.of(new ServedModel("stories260K", path, file, ModelShape.of(file)));
        KvSettings kv = KvSettings.ofMegabytes(16, 16, KvDtype.F16, Optional.empty(), 0, 0, Duration.ofMinutes(10));
        // 2 ms a token: twelve lines of 40 tokens, two at a time, take about half a second
        EngineMetrics slow = new EngineMetrics() {
            @Override
            public void token(long nanosSincePrevious, boolean first) {
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        scheduler = new Scheduler(text, new SchedulerSettings(64, 4, 64, 60_000, 1, Map.of(), false, false),
                kv.cachesFor(text.model().shape(), text.contextLength()), slow);
        model = new SchedulerModel(text, scheduler);
    }

    @AfterEach
    void closeModel() {
        scheduler.close();
        file.close();
    }

    private static final Pipelines NO_PIPELINES = new Pipelines(Map.of(), new StageCache(1 << 20),
            new PipelineMetrics(new SimpleMeterRegistry()), PredictionListener.NONE, StageTracer.NONE);

    private BatchManager manager(Duration window) throws IOException {
        BatchManager manager = new BatchManager(new BatchManager.Settings(dir.resolve("state"), 1 << 20, 1000, 2, window),
                model, NO_PIPELINES, StrictJson.newMapper(), new SimpleMeterRegistry());
        manager.start();
        return manager;
    }

    private String upload(BatchManager manager, String tenant) throws IOException {
        return upload(manager, tenant, LINES);
    }

    private String upload(BatchManager manager, String tenant, int count) throws IOException {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            lines.add(BatchApiTest.line("r" + i, "/v1/completions",
                    "{\"prompt\":\"Once upon a time " + i + "\",\"max_tokens\":40,\"temperature\":0}"));
        }
        Path input = Files.writeString(dir.resolve("input-" + tenant + ".jsonl"), String.join("\n", lines) + "\n");
        Path upload = manager.files().newUpload();
        Files.copy(input, upload);
        return manager.files().add(tenant, "input.jsonl", FileObject.BATCH, upload).id();
    }

    @Test
    void aBatchInterruptedByAStopContinuesInTheNextManagerAndAnswersEachCustomIdOnce() throws Exception {
        String id;
        try (BatchManager first = manager(Duration.ofHours(24))) {
            String input = upload(first, "t");
            id = first.create("t", input, "/v1/completions", BatchManager.WINDOW, null).id();
            await(first, "t", id, b -> b.requestCounts().completed() >= 3);
        }
        BatchObject stopped = readState(id);
        assertThat(stopped.status()).isEqualTo(BatchObject.Status.IN_PROGRESS);
        assertThat(stopped.requestCounts().completed()).isBetween(3L, LINES - 1L);
        assertThat(BatchFiles.read(dir.resolve("state/batches/" + id + "/results.jsonl")))
                .as("the checkpoint holds what the state counts").hasSize((int) stopped.requestCounts().completed());

        try (BatchManager second = manager(Duration.ofHours(24))) {
            BatchObject done = await(second, "t", id, b -> b.status() == BatchObject.Status.COMPLETED);
            assertThat(done.requestCounts()).isEqualTo(new BatchObject.RequestCounts(LINES, LINES, 0));
            List<JsonNode> output = BatchFiles.read(second.files().content(done.outputFileId()));
            List<String> ids = output.stream().map(line -> line.get("custom_id").asText()).toList();
            assertThat(ids).as("every custom_id once, in input order").containsExactlyElementsOf(
                    java.util.stream.IntStream.range(0, LINES).mapToObj(i -> "r" + i).toList());
            assertThat(output).allSatisfy(line -> assertThat(line.at("/response/status_code").asInt()).isEqualTo(200));
            assertThat(done.errorFileId()).isNull();
        }
    }

    @Test
    void aBatchPastItsWindowExpiresWithThePartOfItsResultsItHas() throws Exception {
        try (BatchManager manager = manager(Duration.ofSeconds(1))) {
            // about four seconds of work: far more than the window and the second it may take to notice its end
            String input = upload(manager, "t", 100);
            String id = manager.create("t", input, "/v1/completions", BatchManager.WINDOW, null).id();
            BatchObject expired = await(manager, "t", id, b -> b.status() == BatchObject.Status.EXPIRED);
            long completed = expired.requestCounts().completed();
            assertThat(completed).isLessThan(100);
            if (completed > 0) {
                assertThat(BatchFiles.read(manager.files().content(expired.outputFileId()))).hasSize((int) completed);
            }
        }
    }

    @Test
    void oneTenantNeitherSeesNorTouchesAnothersFilesOrBatches() throws Exception {
        try (BatchManager manager = manager(Duration.ofHours(24))) {
            String input = upload(manager, "alice");
            assertThat(manager.files().get("bob", input)).isEmpty();
            assertThat(manager.files().list("bob", null)).isEmpty();
            assertThat(manager.files().delete("bob", input)).isFalse();
            assertThatThrownBy(() -> manager.create("bob", input, "/v1/completions", BatchManager.WINDOW, null))
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(404));
            String id = manager.create("alice", input, "/v1/completions", BatchManager.WINDOW, Map.of("k", "v")).id();
            for (var call : List.<org.assertj.core.api.ThrowableAssert.ThrowingCallable>of(
                    () -> manager.get("bob", id), () -> manager.cancel("bob", id))) {
                assertThatThrownBy(call).isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(404));
            }
            assertThat(manager.list("bob", null, 100).data()).isEmpty();
            assertThat(manager.list("alice", null, 100).data()).extracting(BatchObject::id).containsExactly(id);
            BatchObject done = await(manager, "alice", id, b -> b.status() == BatchObject.Status.COMPLETED);
            assertThat(manager.files().get("bob", done.outputFileId())).isEmpty();
            assertThat(manager.files().get("alice", done.outputFileId())).isPresent();
        }
    }

    @Test
    void aBatchWhoseInputIsDeletedBeforeItRunsFailsSayingSo() throws Exception {
        try (BatchManager manager = manager(Duration.ofHours(24))) {
            String first = manager.create("t", upload(manager, "t"), "/v1/completions", BatchManager.WINDOW, null).id();
            String input = upload(manager, "t");
            // queued behind the first, which takes about half a second
            String second = manager.create("t", input, "/v1/completions", BatchManager.WINDOW, null).id();
            assertThat(manager.files().delete("t", input)).isTrue();
            BatchObject failed = await(manager, "t", second, b -> b.status() == BatchObject.Status.FAILED);
            assertThat(failed.errors().data()).extracting(BatchObject.Error::code).containsExactly("input_file_deleted");
            await(manager, "t", first, b -> b.status() == BatchObject.Status.COMPLETED);
        }
    }

    private BatchObject readState(String id) throws IOException {
        JsonNode state = BatchFiles.JSON.readTree(dir.resolve("state/batches/" + id + "/batch.json").toFile());
        return StrictJson.newMapper().treeToValue(state.get("batch"), BatchObject.class);
    }

    private static BatchObject await(BatchManager manager, String tenant, String id, Predicate<BatchObject> condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            BatchObject batch = manager.get(tenant, id);
            if (condition.test(batch)) {
                return batch;
            }
            assertThat(batch.status().terminal()).as("batch %s ended %s %s", id, batch.status(), batch.errors()).isFalse();
            assertThat(System.nanoTime()).as("batch %s: %s %s", id, batch.status(), batch.requestCounts()).isLessThan(deadline);
            Thread.sleep(10);
        }
    }
}
