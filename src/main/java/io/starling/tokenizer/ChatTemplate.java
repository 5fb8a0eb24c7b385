package io.starling.tokenizer;

import io.starling.gguf.GgufMetadata;
import io.starling.tokenizer.jinja.JinjaTemplate;
import io.starling.tokenizer.jinja.TemplateException;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A model's chat template ({@code tokenizer.chat_template}, Jinja) rendered for a list of messages, with the
 * variables Hugging Face passes: {@code messages}, {@code add_generation_prompt}, {@code bos_token},
 * {@code eos_token}. The rendered prompt holds special-token texts, so encode it with {@code parseSpecial} on
 * (and without adding BOS when the template writes {@code bos_token} itself).
 */
public final class ChatTemplate {
    /** Used when a model ships no template: ChatML, as SmolLM and Qwen use it. */
    public static final String DEFAULT_CHATML = "{% for message in messages %}"
            + "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
            + "{% endfor %}"
            + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    private static final String METADATA_KEY = "tokenizer.chat_template";

    private final String source;
    private final JinjaTemplate template;
    private final String bosToken;
    private final String eosToken;

    private ChatTemplate(String source, String bosToken, String eosToken) {
        this.source = source;
        this.bosToken = bosToken;
        this.eosToken = eosToken;
        try {
            this.template = JinjaTemplate.parse(source);
        } catch (TemplateException e) {
            throw new TokenizerException("invalid chat template: " + e.getMessage(), e);
        }
    }

    /** A template with explicit BOS/EOS texts (empty strings when the model has none). */
    public static ChatTemplate of(String source, String bosToken, String eosToken) {
        return new ChatTemplate(source, bosToken, eosToken);
    }

    /** The model's {@code tokenizer.chat_template}, or {@link #DEFAULT_CHATML} when it has none. */
    public static ChatTemplate fromMetadata(GgufMetadata metadata, Tokenizer tokenizer) {
        String source = metadata.findString(METADATA_KEY).orElse(DEFAULT_CHATML);
        return new ChatTemplate(source, tokenText(tokenizer, tokenizer.bos()), tokenText(tokenizer, tokenizer.eos()));
    }

    private static String tokenText(Tokenizer tokenizer, int id) {
        return id == Vocabulary.NO_TOKEN ? "" : tokenizer.tokenText(id);
    }

    public String source() {
        return source;
    }

    /**
     * Renders the conversation; {@code addGenerationPrompt} appends the header that starts the assistant's turn.
     *
     * @throws TokenizerException naming the template's complaint (e.g. roles that do not alternate)
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        List<Map<String, Object>> turns = new ArrayList<>(messages.size());
        for (ChatMessage message : messages) {
            Map<String, Object> turn = new LinkedHashMap<>();
            turn.put("role", message.role());
            turn.put("content", message.content());
            turns.add(turn);
        }
        Map<String, Object> variables = new HashMap<>();
        variables.put("messages", turns);
        variables.put("add_generation_prompt", addGenerationPrompt);
        variables.put("bos_token", bosToken);
        variables.put("eos_token", eosToken);
        variables.put("strftime_now", (JinjaTemplate.Function) args -> strftimeNow(args.isEmpty() ? "%d %b %Y" : String.valueOf(args.getFirst())));
        try {
            return template.render(variables);
        } catch (TemplateException e) {
            throw new TokenizerException("chat template error: " + e.getMessage(), e);
        }
    }

    /** The strftime directives date headers in templates use (Llama 3.1's "%d %b %Y"). */
    private static String strftimeNow(String format) {
        ZonedDateTime now = ZonedDateTime.now();
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 == format.length()) {
                out.append(c);
                continue;
            }
            char directive = format.charAt(++i);
            String pattern = switch (directive) {
                case 'd' -> "dd";
                case 'm' -> "MM";
                case 'Y' -> "yyyy";
                case 'y' -> "yy";
                case 'b' -> "MMM";
                case 'B' -> "MMMM";
                case 'H' -> "HH";
                case 'M' -> "mm";
                case 'S' -> "ss";
                case 'a' -> "EEE";
                case 'A' -> "EEEE";
                default -> null;
            };
            out.append(pattern == null ? "%" + directive : DateTimeFormatter.ofPattern(pattern, Locale.ENGLISH).format(now));
        }
        return out.toString();
    }
}
