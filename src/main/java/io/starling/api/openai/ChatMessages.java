package io.starling.api.openai;

import com.fasterxml.jackson.databind.JsonNode;
import io.starling.api.error.ApiException;
import io.starling.tokenizer.ChatMessage;
import java.util.ArrayList;
import java.util.List;

/** Checks the request's messages and turns them into the template's turns. */
final class ChatMessages {

    /** A conversation longer than this is refused before it reaches the template. */
    static final int MAX_MESSAGES = 4096;

    private ChatMessages() {
    }

    static List<ChatMessage> from(List<ChatCompletionRequest.Message> messages) {
        if (messages == null || messages.isEmpty()) {
            throw ApiException.invalid("messages", "'messages' must be a non-empty array");
        }
        if (messages.size() > MAX_MESSAGES) {
            throw ApiException.invalid("messages", "at most " + MAX_MESSAGES + " messages, got " + messages.size());
        }
        List<ChatMessage> turns = new ArrayList<>(messages.size());
        for (int i = 0; i < messages.size(); i++) {
            ChatCompletionRequest.Message message = messages.get(i);
            String at = "messages[" + i + "]";
            if (message == null) {
                throw ApiException.invalid(at, "'" + at + "' must be an object");
            }
            turns.add(new ChatMessage(role(message.role(), at), content(message, at)));
        }
        return turns;
    }

    private static String role(String role, String at) {
        if (role == null) {
            throw ApiException.invalid(at + ".role", "'" + at + ".role' is required");
        }
        return switch (role) {
            case "system", "user", "assistant" -> role;
            // OpenAI's newer name for system instructions; templates only know "system"
            case "developer" -> "system";
            case "tool", "function" -> throw ApiException.unsupported(at + ".role",
                    "role '" + role + "' needs tool calling, which this server does not support yet");
            default -> throw ApiException.invalid(at + ".role", "'" + at + ".role' must be one of system, developer,"
                    + " user, assistant; got '" + role + "'");
        };
    }

    private static String content(ChatCompletionRequest.Message message, String at) {
        if (message.toolCalls() != null && !message.toolCalls().isNull()) {
            throw ApiException.unsupported(at + ".tool_calls", "tool calls are not supported by this server yet");
        }
        JsonNode content = message.content();
        if (content == null || content.isNull()) {
            throw ApiException.invalid(at + ".content", "'" + at + ".content' is required");
        }
        if (content.isTextual()) {
            return content.textValue();
        }
        if (!content.isArray()) {
            throw ApiException.invalid(at + ".content", "'" + at + ".content' must be a string or an array of text parts");
        }
        StringBuilder text = new StringBuilder();
        for (int j = 0; j < content.size(); j++) {
            JsonNode part = content.get(j);
            String partAt = at + ".content[" + j + "]";
            JsonNode type = part.get("type");
            if (!part.isObject() || type == null || !type.isTextual()) {
                throw ApiException.invalid(partAt, "'" + partAt + "' must be an object with a 'type'");
            }
            if (!"text".equals(type.textValue())) {
                throw ApiException.unsupported(partAt + ".type", "content parts of type '" + type.textValue()
                        + "' are not supported (this server runs text-only models)");
            }
            JsonNode partText = part.get("text");
            if (partText == null || !partText.isTextual()) {
                throw ApiException.invalid(partAt + ".text", "'" + partAt + ".text' must be a string");
            }
            // parts are joined by a newline, as vLLM does
            text.append(j == 0 ? "" : "\n").append(partText.textValue());
        }
        return text.toString();
    }
}
