package io.starling.batch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.starling.api.error.ApiErrors;
import io.starling.api.error.ApiException;
import io.starling.api.error.ErrorBody;
import io.starling.api.openai.ChatCompletionJob;
import io.starling.api.openai.ChatCompletionRequest;
import io.starling.api.openai.CompletionJob;
import io.starling.api.openai.CompletionRequest;
import io.starling.api.openai.EmbeddingJob;
import io.starling.api.openai.EmbeddingRequest;
import io.starling.engine.GenerationEvent;
import io.starling.engine.GenerationRequest;
import io.starling.engine.KvCacheExhaustedException;
import io.starling.engine.ModelText;
import io.starling.engine.QueueFullException;
import io.starling.engine.Scheduler;
import io.starling.pipeline.Pipeline;
import io.starling.pipeline.PipelineRequest;
import io.starling.pipeline.Pipelines;
import io.starling.registry.ModelSpec;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Runs one batch request on the scheduler, with no HTTP in between but the same code as the server's resources:
 * the body is read with the server's strict JSON rules, checked and turned into engine jobs by the same
 * {@code *Job} classes, and answered with the same body, or the same error body and status the server would send.
 */
final class RequestRunner {

    /** What one request came to: the response status and body, and the tokens it took. */
    record Outcome(int status, Object body, long promptTokens, long generatedTokens) {
        static Outcome failed(ApiException error) {
            return new Outcome(error.status(), ErrorBody.of(error.getMessage(), error.type(), error.param(), error.code()),
                    0, 0);
        }
    }

    /**
     * A job refused only because the engine is momentarily full (its queue, or KV memory that frees as others end)
     * is submitted again after a pause: in a batch nobody waits for a 429, and a rerun of the same request yields
     * the same tokens.
     */
    private static final int RETRIES = 100;

    private final ModelText.Text text;
    private final Scheduler scheduler;
    private final ObjectMapper mapper;
    private final PrintWriter log;
    private final Runnable onToken;
    private final Pipelines pipelines;

    /**
     * {@code onToken} runs for every token as it is generated (on an event thread), for the progress display;
     * {@code pipelines} answer {@code /v1/pipelines/{name}} lines.
     */
    RequestRunner(ModelText.Text text, Scheduler scheduler, ObjectMapper mapper, PrintWriter log, Runnable onToken,
                  Pipelines pipelines) {
        this.text = text;
        this.scheduler = scheduler;
        this.mapper = mapper;
        this.log = log;
        this.onToken = onToken;
        this.pipelines = pipelines;
    }

    /** The request's outcome; never fails (a failure is an error outcome). */
    Uni<Outcome> run(BatchInput.Request request) {
        Uni<Outcome> work;
        try {
            work = switch (request.endpoint()) {
                case CHAT_COMPLETIONS -> chat(read(request.body(), ChatCompletionRequest.class, ChatCompletionRequest::model,
                        ChatCompletionRequest::stream));
                case COMPLETIONS -> completions(read(request.body(), CompletionRequest.class, CompletionRequest::model,
                        CompletionRequest::stream));
                case EMBEDDINGS -> embeddings(read(request.body(), EmbeddingRequest.class, EmbeddingRequest::model, r -> null));
                case PIPELINES -> pipeline(request.url().substring(Endpoint.PIPELINES.url().length()), request.body());
            };
        } catch (RuntimeException e) {
            work = Uni.createFrom().failure(e);
        }
        return work.onFailure().recoverWithItem(failure -> {
            ApiException error = ApiErrors.of(failure);
            if (error.status() == 500) {
                log.println("starling batch: request '" + request.customId() + "' failed: " + failure);
                failure.printStackTrace(log);
            }
            return Outcome.failed(error);
        });
    }

    /**
     * The body as the server's resource would receive it, with what {@code RequestPrelude} checks first (a JSON
     * object naming the served model or none), and streaming refused: a batch result is one document.
     */
    private <T> T read(JsonNode body, Class<T> type, Function<T, String> model, Function<T, Boolean> stream) {
        if (body == null || !body.isObject()) {
            throw ApiException.invalid(null, "the request body must be a JSON object");
        }
        T request;
        try {
            request = mapper.treeToValue(body, type);
        } catch (JsonProcessingException e) {
            throw ApiErrors.of(e);
        }
        String requested = model.apply(request);
        if (requested != null && !requested.isBlank() && !requested.equals(text.model().id())) {
            throw ApiException.modelNotFound(requested);
        }
        if (Boolean.TRUE.equals(stream.apply(request))) {
            throw ApiException.unsupported("stream", "a batch request is answered with one document; omit stream or set it to false");
        }
        return request;
    }

    /** What a server serving this file under the same name answers as {@code system_fingerprint}. */
    private String fingerprint() {
        return text.model().id() + "@" + ModelSpec.DEFAULT_VERSION;
    }

    private Uni<Outcome> chat(ChatCompletionRequest request) {
        ChatCompletionJob job = ChatCompletionJob.of(text, fingerprint(), request);
        return generate(job.generation()).map(events -> {
            GenerationEvent.Completed usage = completed(events);
            return new Outcome(200, job.body(events), usage.promptTokens(), usage.completionTokens());
        });
    }

    private Uni<Outcome> completions(CompletionRequest request) {
        CompletionJob job = CompletionJob.of(text, fingerprint(), request);
        List<Uni<List<GenerationEvent>>> prompts = job.generations().stream().map(this::generate).toList();
        return Uni.join().all(prompts).andFailFast().map(all -> {
            long prompt = 0;
            long generated = 0;
            for (List<GenerationEvent> events : all) {
                GenerationEvent.Completed usage = completed(events);
                prompt += usage.promptTokens();
                generated += usage.completionTokens();
            }
            return new Outcome(200, job.body(all), prompt, generated);
        });
    }

    private Uni<Outcome> embeddings(EmbeddingRequest request) {
        EmbeddingJob job = EmbeddingJob.of(text, request);
        return Multi.createFrom().iterable(job.inputs())
                .onItem().transformToUniAndConcatenate(tokens -> scheduler.embed(tokens, GenerationRequest.ANONYMOUS))
                .collect().asList()
                .map(vectors -> new Outcome(200, job.body(vectors), job.promptTokens(), 0));
    }

    /** A pipeline line: its body as {@code POST /v1/pipelines/{name}} reads it, on the job's model. */
    private Uni<Outcome> pipeline(String name, JsonNode body) {
        Pipeline pipeline = pipelines.get(name);
        PipelineRequest request = read(body, PipelineRequest.class, r -> pipeline.spec().model(), r -> null);
        BatchPipelineEngine engine = new BatchPipelineEngine(text, fingerprint(), this::generate,
                tokens -> retried(() -> scheduler.embed(tokens, GenerationRequest.ANONYMOUS)));
        return pipelines.run(pipeline, request, engine).map(result -> new Outcome(200, result,
                result.usage().promptTokens(), result.usage().completionTokens()));
    }

    /** All events of one engine job, submitted again while the engine is only momentarily full. */
    private Uni<List<GenerationEvent>> generate(GenerationRequest job) {
        return retried(() -> scheduler.submit(job)
                .onItem().invoke(event -> {
                    if (event instanceof GenerationEvent.GeneratedToken) {
                        onToken.run();
                    }
                })
                .collect().asList());
    }

    /** {@code work}, started again after a pause while the engine is only momentarily full. */
    private static <T> Uni<T> retried(Supplier<Uni<? extends T>> work) {
        return Uni.createFrom().deferred(work)
                .onFailure(RequestRunner::momentary).retry()
                .withBackOff(Duration.ofMillis(50), Duration.ofSeconds(2)).atMost(RETRIES);
    }

    private static boolean momentary(Throwable failure) {
        return failure instanceof QueueFullException
                || failure instanceof KvCacheExhaustedException kv && kv.retryable();
    }

    /** The job's closing event: its token counts. */
    private static GenerationEvent.Completed completed(List<GenerationEvent> events) {
        for (int i = events.size() - 1; i >= 0; i--) {
            if (events.get(i) instanceof GenerationEvent.Completed completed) {
                return completed;
            }
        }
        throw new IllegalStateException("the engine ended a job without its Completed event");
    }
}
