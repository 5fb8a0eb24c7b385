package io.starling.engine;

import io.starling.gguf.GgufFile;
import io.starling.model.ModelShape;
import io.starling.registry.EmbeddedModel;
import io.starling.registry.ServedModel;
import io.starling.tokenizer.ChatTemplate;
import io.starling.tokenizer.Tokenizer;
import io.starling.tokenizer.Tokenizers;
import io.starling.kv.KvDtype;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** The embedded stories260K model as the scheduler sees it, for engine tests that need no Quarkus. */
final class EmbeddedStories implements AutoCloseable {

    final GgufFile file;
    final ModelText.Text text;

    EmbeddedStories(Path directory) throws java.io.IOException {
        Path path = EmbeddedModel.extractTo(directory);
        this.file = GgufFile.open(path);
        Tokenizer tokenizer = Tokenizers.fromMetadata(file.metadata());
        this.text = new ModelText.Text(new ServedModel(EmbeddedModel.NAME, path, file, ModelShape.of(file)), tokenizer,
                ChatTemplate.fromMetadata(file.metadata(), tokenizer), tokenizer.endOfGenerationTokens());
    }

    int[] encode(String prompt) {
        return text.tokenizer().encode(prompt, true, false).ids();
    }

    Scheduler scheduler(int maxQueueDepth, int maxBatchSize, int maxBatchTokens, long timeoutMs, EngineMetrics metrics,
                        Map<String, Integer> weights) {
        return new Scheduler(text, new SchedulerSettings(maxQueueDepth, maxBatchSize, maxBatchTokens, timeoutMs, 2, weights, false, false),
                caches(kv(16L << 20, Optional.empty())), metrics);
    }

    /** A scheduler over {@code caches} (which it closes). */
    Scheduler scheduler(PagedKvCaches caches, int maxBatchSize, int maxBatchTokens, EngineMetrics metrics) {
        return new Scheduler(text, new SchedulerSettings(64, maxBatchSize, maxBatchTokens, 60_000, 2, Map.of(), false, false), caches,
                metrics);
    }

    /** F16 pages of 16 positions, 8 sessions of a minute. */
    static KvSettings kv(long capacityBytes, Optional<Path> spill) {
        return new KvSettings(capacityBytes, 16, KvDtype.F16, spill, 1L << 20, 8, Duration.ofMinutes(1));
    }

    PagedKvCaches caches(KvSettings settings) {
        return settings.cachesFor(text.model().shape(), text.contextLength());
    }

    /** Bytes of one KV page of this model at {@link #kv}'s layout. */
    long pageBytes() {
        return 2L * text.model().shape().layers() * 16 * text.model().shape().kvDim() * KvDtype.F16.bytes();
    }

    Scheduler scheduler(int maxBatchSize, int maxBatchTokens) {
        return scheduler(64, maxBatchSize, maxBatchTokens, 60_000, EngineMetrics.NONE, Map.of());
    }

    /** A scheduler whose engine warms the model up while idle, as the server's does. */
    Scheduler warmingScheduler(int maxBatchSize, int maxBatchTokens) {
        return new Scheduler(text, new SchedulerSettings(64, maxBatchSize, maxBatchTokens, 60_000, 2, Map.of(), false, true),
                caches(kv(16L << 20, Optional.empty())), EngineMetrics.NONE);
    }

    @Override
    public void close() {
        file.close();
    }
}
