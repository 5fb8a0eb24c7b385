package io.starling.cli;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.starling.api.error.ErrorBody;
import io.starling.api.openai.ChatResponses;
import io.starling.api.openai.CompletionResponses;
import io.starling.api.openai.Usage;
import io.starling.api.starling.GenerateEvents;

/**
 * What a native executable (Maven profile {@code native}) must reach by reflection and Quarkus cannot see: picocli
 * reads the command classes' annotated fields reflectively, and the SSE events and error bodies are written with
 * the ObjectMapper directly rather than returned from resource methods, so Quarkus registers no serializer for them.
 * Nothing on the JVM reads this. Never verified by a native build (none can run where Starling is developed): a
 * class written by the mapper that is missing here fails only in a native executable.
 */
@RegisterForReflection(targets = {
        StarlingCommand.class, ServeCommand.class, InspectCommand.class, TokenizeCommand.class, GenerateCommand.class,
        PerplexityCommand.class, BenchCommand.class, PullCommand.class, ModelsCommand.class, ModelOptions.class,
        CacheDirOption.class,
        ErrorBody.class, ErrorBody.Detail.class, Usage.class,
        ChatResponses.Chunk.class, ChatResponses.ChunkChoice.class, ChatResponses.Delta.class,
        ChatResponses.Logprobs.class, ChatResponses.TokenLogprob.class, ChatResponses.TopLogprob.class,
        CompletionResponses.Completion.class, CompletionResponses.Choice.class, CompletionResponses.Logprobs.class,
        GenerateEvents.Token.class, GenerateEvents.Alternative.class, GenerateEvents.Timings.class,
        GenerateEvents.Final.class, GenerateEvents.Result.class},
        // The model cache's JSON sidecars (package-private records, read and written by Jackson).
        classNames = {"io.starling.registry.source.CacheEntryFile$Entry", "io.starling.registry.source.VerifiedFiles$Verification"})
final class NativeImageReflection {

    private NativeImageReflection() {
    }
}
