package io.starling.engine;

import io.starling.gguf.GgufFile;
import io.starling.model.ModelShape;
import io.starling.registry.EmbeddedModel;
import io.starling.registry.ServedModel;
import io.starling.tokenizer.ChatTemplate;
import io.starling.tokenizer.Tokenizer;
import io.starling.tokenizer.Tokenizers;
import java.nio.file.Path;
import java.util.Map;

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
        return Scheduler.withContiguousKv(text,
                new SchedulerSettings(maxQueueDepth, maxBatchSize, maxBatchTokens, timeoutMs, 2, weights), metrics);
    }

    Scheduler scheduler(int maxBatchSize, int maxBatchTokens) {
        return scheduler(64, maxBatchSize, maxBatchTokens, 60_000, EngineMetrics.NONE, Map.of());
    }

    @Override
    public void close() {
        file.close();
    }
}
