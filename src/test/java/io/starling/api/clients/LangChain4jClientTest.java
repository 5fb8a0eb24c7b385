package io.starling.api.clients;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.language.LanguageModel;
import dev.langchain4j.model.language.StreamingLanguageModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiEmbeddingModel;
import dev.langchain4j.model.openai.OpenAiLanguageModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingLanguageModel;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.model.StreamingResponseHandler;
import dev.langchain4j.data.message.UserMessage;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * LangChain4j's OpenAI module, a client nobody here wrote, used exactly as its documentation shows against the real
 * server with the embedded stories260K model: chat, streaming chat, legacy completions (plain and streaming) and
 * embeddings. It talks through its default JDK HTTP client.
 */
@QuarkusTest
class LangChain4jClientTest {

    private static final String MODEL = "stories260K-Q8_0";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TestHTTPResource("/v1")
    URL baseUrl;

    @Test
    void chat() {
        ChatModel model = OpenAiChatModel.builder().baseUrl(baseUrl.toString()).apiKey("sk-unused").modelName(MODEL)
                .temperature(0.0).maxTokens(8).timeout(TIMEOUT).maxRetries(0).build();
        ChatResponse response = model.chat(ChatRequest.builder().messages(UserMessage.from("Tell me a story")).build());
        assertThat(response.aiMessage().text()).isNotBlank();
        assertThat(response.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(response.tokenUsage().outputTokenCount()).isEqualTo(8);
        assertThat(response.tokenUsage().inputTokenCount()).isPositive();
        assertThat(response.metadata().modelName()).isEqualTo(MODEL);
        assertThat(model.chat("Tell me a story")).as("greedy: the same text again").isEqualTo(response.aiMessage().text());
    }

    @Test
    void streamingChat() throws Exception {
        StreamingChatModel model = OpenAiStreamingChatModel.builder().baseUrl(baseUrl.toString()).apiKey("sk-unused")
                .modelName(MODEL).temperature(0.0).maxTokens(8).timeout(TIMEOUT).build();
        List<String> partials = new ArrayList<>();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        model.chat("Tell me a story", new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partial) {
                partials.add(partial);
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        ChatResponse response = done.get(60, TimeUnit.SECONDS);
        assertThat(partials).isNotEmpty();
        assertThat(String.join("", partials)).isEqualTo(response.aiMessage().text());
        assertThat(response.finishReason()).isEqualTo(FinishReason.LENGTH);
        ChatModel blocking = OpenAiChatModel.builder().baseUrl(baseUrl.toString()).apiKey("sk-unused").modelName(MODEL)
                .temperature(0.0).maxTokens(8).timeout(TIMEOUT).maxRetries(0).build();
        assertThat(response.aiMessage().text()).as("streamed = not streamed, greedily")
                .isEqualTo(blocking.chat("Tell me a story"));
    }

    @Test
    void legacyCompletions() throws Exception {
        LanguageModel model = OpenAiLanguageModel.builder().baseUrl(baseUrl.toString()).apiKey("sk-unused")
                .modelName(MODEL).temperature(0.0).timeout(TIMEOUT).maxRetries(0).build();
        Response<String> response = model.generate("Once upon a time");
        assertThat(response.content()).isNotBlank();
        // the server's default max_tokens for completions is OpenAI's 16
        assertThat(response.tokenUsage().outputTokenCount()).isEqualTo(16);
        assertThat(response.tokenUsage().inputTokenCount()).isEqualTo(5);

        StreamingLanguageModel streaming = OpenAiStreamingLanguageModel.builder().baseUrl(baseUrl.toString())
                .apiKey("sk-unused").modelName(MODEL).temperature(0.0).timeout(TIMEOUT).build();
        StringBuilder text = new StringBuilder();
        CompletableFuture<Response<String>> done = new CompletableFuture<>();
        streaming.generate("Once upon a time", new StreamingResponseHandler<>() {
            @Override
            public void onNext(String token) {
                text.append(token);
            }

            @Override
            public void onComplete(Response<String> complete) {
                done.complete(complete);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        Response<String> streamed = done.get(60, TimeUnit.SECONDS);
        assertThat(text.toString()).isEqualTo(response.content());
        assertThat(streamed.content()).isEqualTo(response.content());
    }

    @Test
    void embeddings() {
        OpenAiEmbeddingModel model = OpenAiEmbeddingModel.builder().baseUrl(baseUrl.toString()).apiKey("sk-unused")
                .modelName(MODEL).timeout(TIMEOUT).maxRetries(0).build();
        Embedding embedding = model.embed("Once upon a time").content();
        assertThat(embedding.dimension()).isEqualTo(64);
        double norm = 0;
        for (float v : embedding.vector()) {
            norm += v * v;
        }
        assertThat(Math.sqrt(norm)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
    }
}
