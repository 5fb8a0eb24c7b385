package io.starling.api.openai;

import io.starling.api.inference.Ids;
import io.starling.api.inference.TokenText;
import io.starling.api.openai.ChatResponses.Chunk;
import io.starling.api.openai.ChatResponses.ChunkChoice;
import io.starling.api.openai.ChatResponses.Delta;
import io.starling.api.openai.ChatResponses.Logprobs;
import io.starling.api.openai.ChatResponses.TokenLogprob;
import io.starling.api.openai.ChatResponses.TopLogprob;
import io.starling.engine.GenerationEvent;
import io.starling.engine.GenerationEvent.Completed;
import io.starling.engine.GenerationEvent.GeneratedToken;
import io.starling.engine.GenerationEvent.SequenceEnd;
import io.starling.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;

/** Engine events of one chat request to a {@code chat.completion} or to {@code chat.completion.chunk}s. */
final class ChatAssembler {

    private final String id = Ids.of("chatcmpl-");
    private final long created = Ids.nowSeconds();
    private final String model;
    /** The {@code system_fingerprint}: {@code name@version} of the model version that answers. */
    private final String fingerprint;
    private final Tokenizer tokenizer;
    private final int n;
    private final boolean logprobs;

    ChatAssembler(String model, String fingerprint, Tokenizer tokenizer, int n, boolean logprobs) {
        this.model = model;
        this.fingerprint = fingerprint;
        this.tokenizer = tokenizer;
        this.n = n;
        this.logprobs = logprobs;
    }

    ChatResponses.ChatCompletion complete(List<GenerationEvent> events) {
        StringBuilder[] texts = new StringBuilder[n];
        List<List<TokenLogprob>> tokenLogprobs = new ArrayList<>(n);
        String[] reasons = new String[n];
        for (int i = 0; i < n; i++) {
            texts[i] = new StringBuilder();
            tokenLogprobs.add(new ArrayList<>());
        }
        Usage usage = Usage.of(0, 0);
        for (GenerationEvent event : events) {
            switch (event) {
                case GeneratedToken t -> {
                    texts[t.index()].append(t.text());
                    if (logprobs) {
                        tokenLogprobs.get(t.index()).add(logprob(t));
                    }
                }
                case SequenceEnd end -> {
                    texts[end.index()].append(end.text());
                    reasons[end.index()] = end.reason().wireName();
                }
                case Completed c -> usage = Usage.of(c.promptTokens(), c.completionTokens());
                default -> {
                }
            }
        }
        List<ChatResponses.Choice> choices = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            choices.add(new ChatResponses.Choice(i, new ChatResponses.Message("assistant", texts[i].toString()),
                    logprobs ? new Logprobs(tokenLogprobs.get(i)) : null, reasons[i]));
        }
        return new ChatResponses.ChatCompletion(id, "chat.completion", created, model, fingerprint, choices, usage);
    }

    /** The chunks that open the stream: each choice's role, sent before the engine has produced anything. */
    List<Chunk> opening() {
        List<Chunk> chunks = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            chunks.add(chunk(new ChunkChoice(i, new Delta("assistant", ""), null, null)));
        }
        return chunks;
    }

    /** The chunks one engine event becomes (often one, none for a token that released no text). */
    List<Chunk> chunks(GenerationEvent event, boolean includeUsage) {
        return switch (event) {
            case GeneratedToken t when !t.text().isEmpty() || logprobs -> List.of(chunk(new ChunkChoice(t.index(),
                    new Delta(null, t.text()), logprobs ? new Logprobs(List.of(logprob(t))) : null, null)));
            case SequenceEnd end -> {
                List<Chunk> out = new ArrayList<>(2);
                if (!end.text().isEmpty()) {
                    out.add(chunk(new ChunkChoice(end.index(), new Delta(null, end.text()), null, null)));
                }
                out.add(chunk(new ChunkChoice(end.index(), new Delta(null, null), null, end.reason().wireName())));
                yield out;
            }
            case Completed c when includeUsage -> List.of(new Chunk(id, "chat.completion.chunk", created, model, fingerprint,
                    List.of(), Usage.of(c.promptTokens(), c.completionTokens())));
            default -> List.of();
        };
    }

    private Chunk chunk(ChunkChoice choice) {
        return new Chunk(id, "chat.completion.chunk", created, model, fingerprint, List.of(choice), null);
    }

    private TokenLogprob logprob(GeneratedToken t) {
        List<TopLogprob> top = t.top().stream()
                .map(alt -> new TopLogprob(TokenText.text(tokenizer, alt.token()), alt.logprob(),
                        TokenText.bytes(tokenizer, alt.token())))
                .toList();
        return new TokenLogprob(TokenText.text(tokenizer, t.token()), t.logprob(), TokenText.bytes(tokenizer, t.token()), top);
    }
}
