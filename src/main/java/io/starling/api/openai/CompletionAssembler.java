package io.starling.api.openai;

import io.starling.api.inference.Ids;
import io.starling.api.inference.TokenText;
import io.starling.api.openai.CompletionResponses.Choice;
import io.starling.api.openai.CompletionResponses.Completion;
import io.starling.api.openai.CompletionResponses.Logprobs;
import io.starling.engine.GenerationEvent;
import io.starling.engine.GenerationEvent.Completed;
import io.starling.engine.GenerationEvent.GeneratedToken;
import io.starling.engine.GenerationEvent.PromptScores;
import io.starling.engine.GenerationEvent.ScoredToken;
import io.starling.engine.GenerationEvent.SequenceEnd;
import io.starling.sampling.TokenLogprob;
import io.starling.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Engine events of a legacy completion to {@code text_completion} objects. Each prompt of the request is one engine
 * job with {@code n} sequences; choice {@code p * n + i} is sequence {@code i} of prompt {@code p}.
 */
final class CompletionAssembler {

    private final String id = Ids.of("cmpl-");
    private final long created = Ids.nowSeconds();
    private final String model;
    /** The {@code system_fingerprint}: {@code name@version} of the model version that answers. */
    private final String fingerprint;
    private final Tokenizer tokenizer;
    private final int n;
    private final boolean logprobs;
    private final boolean echo;

    CompletionAssembler(String model, String fingerprint, Tokenizer tokenizer, int n, boolean logprobs, boolean echo) {
        this.model = model;
        this.fingerprint = fingerprint;
        this.tokenizer = tokenizer;
        this.n = n;
        this.logprobs = logprobs;
        this.echo = echo;
    }

    /** The whole response: {@code eventsPerPrompt.get(p)} are the events of prompt {@code p}. */
    Completion complete(List<String> promptTexts, List<List<GenerationEvent>> eventsPerPrompt) {
        List<Choice> choices = new ArrayList<>();
        int promptTokens = 0;
        int completionTokens = 0;
        for (int p = 0; p < eventsPerPrompt.size(); p++) {
            ChoiceState[] states = new ChoiceState[n];
            for (int i = 0; i < n; i++) {
                states[i] = new ChoiceState();
                if (echo) {
                    states[i].text.append(promptTexts.get(p));
                }
            }
            for (GenerationEvent event : eventsPerPrompt.get(p)) {
                switch (event) {
                    case PromptScores scores -> {
                        for (ChoiceState state : states) {
                            scores.tokens().forEach(state::addPrompt);
                        }
                    }
                    case GeneratedToken t -> states[t.index()].addGenerated(t);
                    case SequenceEnd end -> {
                        states[end.index()].text.append(end.text());
                        states[end.index()].finishReason = end.reason().wireName();
                    }
                    case Completed c -> {
                        promptTokens += c.promptTokens();
                        completionTokens += c.completionTokens();
                    }
                }
            }
            for (int i = 0; i < n; i++) {
                choices.add(new Choice(states[i].text.toString(), p * n + i, states[i].logprobs(),
                        states[i].finishReason));
            }
        }
        return new Completion(id, "text_completion", created, model, fingerprint, choices,
                Usage.of(promptTokens, completionTokens));
    }

    /** A streaming view of one prompt's events; {@code state} carries the usage over all prompts. */
    final class Stream {
        private final int prompt;
        private final String promptText;
        private final StreamUsage usage;
        private final int[] offsets = new int[n];

        Stream(int prompt, String promptText, StreamUsage usage) {
            this.prompt = prompt;
            this.promptText = promptText;
            this.usage = usage;
        }

        /** With echo, the prompt opens each choice (its scores too when logprobs are asked). */
        List<Completion> chunks(GenerationEvent event) {
            return switch (event) {
                case PromptScores scores -> {
                    List<Completion> out = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        ChoiceState state = new ChoiceState();
                        scores.tokens().forEach(state::addPrompt);
                        offsets[i] = state.offset;
                        out.add(chunk(new Choice(promptText, prompt * n + i, state.logprobs(), null)));
                    }
                    yield out;
                }
                case GeneratedToken t when !t.text().isEmpty() || logprobs -> {
                    ChoiceState state = new ChoiceState();
                    state.offset = offsets[t.index()];
                    state.addGenerated(t);
                    offsets[t.index()] = state.offset;
                    yield List.of(chunk(new Choice(t.text(), prompt * n + t.index(), state.logprobs(), null)));
                }
                case SequenceEnd end -> List.of(chunk(new Choice(end.text(), prompt * n + end.index(), null,
                        end.reason().wireName())));
                case Completed c -> {
                    usage.add(c);
                    yield List.of();
                }
                default -> List.of();
            };
        }

        /** Echo without prompt logprobs: the prompt text as the first chunk of each choice. */
        List<Completion> echoText() {
            List<Completion> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(chunk(new Choice(promptText, prompt * n + i, null, null)));
            }
            return out;
        }
    }

    /** Token counts summed over the prompts of a stream, for the final usage chunk. */
    static final class StreamUsage {
        private int prompt;
        private int completion;

        void add(Completed c) {
            prompt += c.promptTokens();
            completion += c.completionTokens();
        }
    }

    Completion usageChunk(StreamUsage usage) {
        return new Completion(id, "text_completion", created, model, fingerprint, List.of(),
                Usage.of(usage.prompt, usage.completion));
    }

    private Completion chunk(Choice choice) {
        return new Completion(id, "text_completion", created, model, fingerprint, List.of(choice), null);
    }

    /** Text and column-wise logprobs of one choice as they accumulate. */
    private final class ChoiceState {
        final StringBuilder text = new StringBuilder();
        final List<String> tokens = new ArrayList<>();
        final List<Float> tokenLogprobs = new ArrayList<>();
        final List<Map<String, Float>> top = new ArrayList<>();
        final List<Integer> textOffset = new ArrayList<>();
        int offset;
        String finishReason;

        void addPrompt(ScoredToken token) {
            boolean first = Float.isNaN(token.logprob());
            add(token.token(), first ? null : token.logprob(), first ? null : topMap(token.top()));
        }

        void addGenerated(GeneratedToken t) {
            text.append(t.text());
            add(t.token(), t.logprob(), topMap(t.top()));
        }

        private void add(int token, Float logprob, Map<String, Float> alternatives) {
            if (!logprobs) {
                return;
            }
            String piece = TokenText.text(tokenizer, token);
            tokens.add(piece);
            tokenLogprobs.add(logprob);
            top.add(alternatives);
            textOffset.add(offset);
            offset += piece.length();
        }

        Logprobs logprobs() {
            return logprobs ? new Logprobs(tokens, tokenLogprobs, top, textOffset) : null;
        }

        private Map<String, Float> topMap(List<TokenLogprob> alternatives) {
            Map<String, Float> map = new LinkedHashMap<>();
            for (TokenLogprob alt : alternatives) {
                map.putIfAbsent(TokenText.text(tokenizer, alt.token()), alt.logprob());
            }
            return map;
        }
    }
}
