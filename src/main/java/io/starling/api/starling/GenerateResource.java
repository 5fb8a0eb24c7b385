package io.starling.api.starling;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.starling.api.error.ApiException;
import io.starling.api.inference.HttpStreams;
import io.starling.api.inference.Prompts;
import io.starling.api.inference.MeteredEngine;
import io.starling.api.inference.RequestPrelude;
import io.starling.api.inference.StopField;
import io.starling.api.inference.TokenBudget;
import io.starling.api.inference.TokenText;
import io.starling.api.openai.Usage;
import io.starling.api.starling.GenerateEvents.Alternative;
import io.starling.api.starling.GenerateEvents.Final;
import io.starling.api.starling.GenerateEvents.Timings;
import io.starling.api.starling.GenerateEvents.Token;
import io.starling.engine.GenerationEvent;
import io.starling.engine.GenerationEvent.Completed;
import io.starling.engine.GenerationEvent.GeneratedToken;
import io.starling.engine.GenerationEvent.SequenceEnd;
import io.starling.engine.GenerationRequest;
import io.starling.engine.ModelText;
import io.starling.engine.SessionLease;
import io.starling.kv.KvCacheFullException;
import io.starling.session.SessionBusyException;
import io.starling.session.UnknownSessionException;
import io.starling.sampling.SamplerConfig;
import io.starling.tokenizer.Tokenizer;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jboss.resteasy.reactive.RestMulti;

/**
 * {@code POST /v1/generate}: Starling's token-level endpoint. Streams {@code {token, text, logprob?}} per token and a
 * final {@code {text, finish_reason, usage, timings}}; with {@code stream: false} returns the same as one object.
 * With {@code session_id} the prompt continues the session's conversation (created by {@code POST /v1/session}): the
 * model sees every earlier prompt and reply, then the new tokens, and computes only what its KV cache lacks.
 */
@Path("/v1/generate")
public class GenerateResource {

    private final RequestPrelude prelude;
    private final MeteredEngine engine;
    private final ObjectMapper mapper;

    GenerateResource(RequestPrelude prelude, MeteredEngine engine, ObjectMapper mapper) {
        this.prelude = prelude;
        this.engine = engine;
        this.mapper = mapper;
    }

    @POST
    @Blocking
    @Consumes(MediaType.APPLICATION_JSON)
    public RestMulti<String> generate(GenerateRequest request)
            throws UnknownSessionException, SessionBusyException, KvCacheFullException {
        String sessionId = request == null ? null : request.sessionId();
        prelude.record().sessionId(sessionId);
        // a session's turns go to the model version the session lives on
        ModelText.Text text = sessionId == null ? prelude.open(request, GenerateRequest::model)
                : prelude.openSession(request, GenerateRequest::model, sessionId);
        SamplerConfig sampling = request.sampling().toConfig();
        Multi<GenerationEvent> events = request.sessionId() == null
                ? submit(request, text, prompt(request, text, true), sampling, null)
                : submitTurn(request, text, sampling);
        Tokenizer tokenizer = text.tokenizer();
        if (!request.streaming()) {
            return HttpStreams.json(events.collect().asList().map(all -> HttpStreams.write(mapper, result(all, tokenizer,
                    sampling.logprobs()))));
        }
        FinalEvent last = new FinalEvent();
        Multi<String> out = events.onItem().transformToIterable(event -> switch (event) {
            case GeneratedToken t -> List.<Object>of(token(t, tokenizer, sampling.logprobs()));
            case SequenceEnd end -> {
                last.end = end;
                yield List.of();
            }
            case Completed c -> List.<Object>of(last.of(c));
            default -> List.of();
        }).map(o -> HttpStreams.write(mapper, o));
        return HttpStreams.sse(out, mapper, false);
    }

    /** The next turn of a session: its conversation so far, then the request's prompt. */
    private Multi<GenerationEvent> submitTurn(GenerateRequest request, ModelText.Text text, SamplerConfig sampling)
            throws UnknownSessionException, SessionBusyException, KvCacheFullException {
        SessionLease lease = prelude.deployment().acquireSession(request.sessionId());
        try {
            int[] transcript = lease.transcript();
            int[] added = prompt(request, text, transcript.length == 0);
            int[] prompt = Arrays.copyOf(transcript, transcript.length + added.length);
            System.arraycopy(added, 0, prompt, transcript.length, added.length);
            return submit(request, text, prompt, sampling, lease.id());
        } catch (RuntimeException e) {
            // refused before the engine took it: the session is free for the client's retry
            lease.cancel();
            throw e;
        }
    }

    private Multi<GenerationEvent> submit(GenerateRequest request, ModelText.Text text, int[] prompt,
                                          SamplerConfig sampling, String sessionId) {
        int maxTokens = TokenBudget.maxTokens(request.maxTokens(), "max_tokens", request.prompt() != null ? "prompt" : "tokens",
                prompt.length, text.contextLength(), -1);
        GenerationRequest job = new GenerationRequest(prompt, sampling, maxTokens, 1, StopField.parse(request.stop()), -1);
        return engine.submit(sessionId == null ? job : job.withSession(sessionId));
    }

    /** The request's own prompt ids; text gets BOS only when it starts a conversation ({@code first}). */
    private static int[] prompt(GenerateRequest request, ModelText.Text text, boolean first) {
        boolean hasTokens = request.tokens() != null && !request.tokens().isNull();
        if ((request.prompt() == null) == !hasTokens) {
            throw ApiException.invalid("prompt", "send exactly one of 'prompt' (text) or 'tokens' (ids)");
        }
        if (hasTokens) {
            return Prompts.ids(text, request.tokens(), "tokens");
        }
        return first ? Prompts.text(text, request.prompt(), "prompt")
                : Prompts.continuation(text, request.prompt(), "prompt");
    }

    private static Token token(GeneratedToken t, Tokenizer tokenizer, boolean logprobs) {
        if (!logprobs) {
            return new Token(t.token(), t.text(), null, null);
        }
        List<Alternative> top = t.top().stream()
                .map(a -> new Alternative(a.token(), TokenText.text(tokenizer, a.token()), a.logprob())).toList();
        return new Token(t.token(), t.text(), t.logprob(), top.isEmpty() ? null : top);
    }

    private static GenerateEvents.Result result(List<GenerationEvent> events, Tokenizer tokenizer, boolean logprobs) {
        StringBuilder text = new StringBuilder();
        List<Integer> ids = new ArrayList<>();
        List<Token> tokens = new ArrayList<>();
        FinalEvent last = new FinalEvent();
        Final end = null;
        for (GenerationEvent event : events) {
            switch (event) {
                case GeneratedToken t -> {
                    text.append(t.text());
                    ids.add(t.token());
                    tokens.add(token(t, tokenizer, logprobs));
                }
                case SequenceEnd e -> {
                    text.append(e.text());
                    last.end = e;
                }
                case Completed c -> end = last.of(c);
                default -> {
                }
            }
        }
        if (end == null) {
            throw new IllegalStateException("the engine ended without a result");
        }
        return new GenerateEvents.Result(text.toString(), ids.stream().mapToInt(Integer::intValue).toArray(),
                logprobs ? tokens : null, end.finishReason(), end.usage(), end.timings());
    }

    /** Joins the sequence's end (reason, held-back text) with the job's counts and timings into the final event. */
    private static final class FinalEvent {
        SequenceEnd end;

        Final of(Completed c) {
            return new Final(end != null ? end.text() : "", end != null ? end.reason().wireName() : null,
                    Usage.of(c.promptTokens(), c.completionTokens()),
                    new Timings(round(c.queueMs()), round(c.prefillMs()), round(c.decodeMs())));
        }

        private static double round(double ms) {
            return Math.round(ms * 1000) / 1000.0;
        }
    }
}
