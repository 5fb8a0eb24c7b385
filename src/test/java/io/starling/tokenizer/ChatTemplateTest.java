package io.starling.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The chat templates real models ship, rendered as Hugging Face's apply_chat_template renders them. */
class ChatTemplateTest {
    static final String LLAMA2 = "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}{% set system_message = messages[0]['content'] %}{% else %}{% set loop_messages = messages %}{% set system_message = false %}{% endif %}{% for message in loop_messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if loop.index0 == 0 and system_message != false %}{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}{% else %}{% set content = message['content'] %}{% endif %}{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %}";
    static final String LLAMA3 = "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}";
    static final String SMOLLM_CHATML = "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
    static final String MISTRAL = "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token}}{% else %}{{ raise_exception('Only user and assistant roles are supported!') }}{% endif %}{% endfor %}";
    static final String GEMMA = "{{ bos_token }}{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if (message['role'] == 'assistant') %}{% set role = 'model' %}{% else %}{% set role = message['role'] %}{% endif %}{{ '<start_of_turn>' + role + '\\n' + message['content'] | trim + '<end_of_turn>\\n' }}{% endfor %}{% if add_generation_prompt %}{{'<start_of_turn>model\\n'}}{% endif %}";

    static final List<ChatMessage> WITH_SYSTEM = List.of(
            new ChatMessage("system", "You are helpful."),
            new ChatMessage("user", "Hello"),
            new ChatMessage("assistant", "Hi there!"),
            new ChatMessage("user", "How are you?"));
    static final List<ChatMessage> WITHOUT_SYSTEM = WITH_SYSTEM.subList(1, 4);

    @Test
    void llama2() {
        assertEquals("<s>[INST] <<SYS>>\nYou are helpful.\n<</SYS>>\n\nHello [/INST] Hi there! </s><s>[INST] How are you? [/INST]",
                ChatTemplate.of(LLAMA2, "<s>", "</s>").render(WITH_SYSTEM, true));
    }

    @Test
    void llama3() {
        assertEquals("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are helpful.<|eot_id|>"
                        + "<|start_header_id|>user<|end_header_id|>\n\nHello<|eot_id|>"
                        + "<|start_header_id|>assistant<|end_header_id|>\n\nHi there!<|eot_id|>"
                        + "<|start_header_id|>user<|end_header_id|>\n\nHow are you?<|eot_id|>"
                        + "<|start_header_id|>assistant<|end_header_id|>\n\n",
                ChatTemplate.of(LLAMA3, "<|begin_of_text|>", "<|end_of_text|>").render(WITH_SYSTEM, true));
    }

    @Test
    void chatMlAsSmolLmShipsIt() {
        ChatTemplate template = ChatTemplate.of(SMOLLM_CHATML, "<|im_start|>", "<|im_end|>");
        assertEquals("<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\nHello<|im_end|>\n"
                        + "<|im_start|>assistant\nHi there!<|im_end|>\n<|im_start|>user\nHow are you?<|im_end|>\n<|im_start|>assistant\n",
                template.render(WITH_SYSTEM, true));
        assertTrue(template.render(WITHOUT_SYSTEM, false)
                .startsWith("<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n<|im_start|>user\n"));
    }

    @Test
    void mistralAndItsRoleCheck() {
        ChatTemplate template = ChatTemplate.of(MISTRAL, "<s>", "</s>");
        assertEquals("<s>[INST] Hello [/INST]Hi there!</s>[INST] How are you? [/INST]", template.render(WITHOUT_SYSTEM, true));
        TokenizerException error = assertThrows(TokenizerException.class, () -> template.render(WITH_SYSTEM, true));
        assertEquals("chat template error: Conversation roles must alternate user/assistant/user/assistant/...", error.getMessage());
    }

    @Test
    void gemma() {
        ChatTemplate template = ChatTemplate.of(GEMMA, "<bos>", "<eos>");
        assertEquals("<bos><start_of_turn>user\nHello<end_of_turn>\n<start_of_turn>model\nHi there!<end_of_turn>\n"
                + "<start_of_turn>user\nHow are you?<end_of_turn>\n<start_of_turn>model\n", template.render(WITHOUT_SYSTEM, true));
        assertThrows(TokenizerException.class, () -> template.render(WITH_SYSTEM, true), "System role not supported");
    }

    @Test
    void phi3FromItsGgufAndEncodedWithSpecialTokens() {
        Tokenizer phi3 = TestTokenizers.tokenizer("vocab/ggml-vocab-phi-3.gguf");
        ChatTemplate template = ChatTemplate.fromMetadata(TestTokenizers.metadata("vocab/ggml-vocab-phi-3.gguf"), phi3);
        String prompt = template.render(WITHOUT_SYSTEM, true);
        assertEquals("<s><|user|>\nHello<|end|>\n<|assistant|>\nHi there!<|end|>\n<|user|>\nHow are you?<|end|>\n<|assistant|>\n", prompt);
        int[] ids = phi3.encode(prompt, false, true).ids();
        assertArrayEquals(new int[] {1, 32010}, new int[] {ids[0], ids[1]});
        assertEquals(32001, ids[ids.length - 1]);
    }

    @Test
    void modelsWithoutATemplateGetChatMl() {
        Tokenizer stories = TestTokenizers.tokenizer("stories260K-f32.gguf");
        ChatTemplate template = ChatTemplate.fromMetadata(TestTokenizers.metadata("stories260K-f32.gguf"), stories);
        assertEquals(ChatTemplate.DEFAULT_CHATML, template.source());
        assertEquals("<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n",
                template.render(List.of(new ChatMessage("user", "Hello")), true));
    }

    @Test
    void blockWhitespaceIsTrimmedLikeHuggingFace() {
        String source = """
                {% for m in messages %}
                  {% if m.role == 'user' %}
                U: {{ m.content }}
                  {% endif %}
                {% endfor %}
                {{- '|' -}}
                  end""";
        assertEquals("U: Hello\nU: How are you?\n|end", ChatTemplate.of(source, "", "").render(WITHOUT_SYSTEM, false));
    }

    @Test
    void namespacesLoopsFiltersAndTests() {
        String source = "{% set ns = namespace(n=0) %}{% for m in messages if m.role != 'system' %}{% set ns.n = ns.n + 1 %}"
                + "{{ loop.index }}{{ ',' if not loop.last }}{% endfor %} {{ ns.n }}/{{ messages|length }}"
                + "{% if foo is not defined and 'Hi' in messages[2].content %}!{% endif %} {{ messages[-1]['content'].upper() }}"
                + " {{ {'a': [1, 2]} | tojson }} {{ 'x' ~ 7 }} {{ 7 // 2 }}";
        assertEquals("1,2,3 3/4! HOW ARE YOU? {\"a\": [1, 2]} x7 3", ChatTemplate.of(source, "", "").render(WITH_SYSTEM, false));
    }

    @Test
    void brokenTemplatesAreClearErrors() {
        TokenizerException unclosed = assertThrows(TokenizerException.class, () -> ChatTemplate.of("{% if x %}no end", "", ""));
        assertTrue(unclosed.getMessage().startsWith("invalid chat template: "), unclosed.getMessage());
        TokenizerException badAdd = assertThrows(TokenizerException.class,
                () -> ChatTemplate.of("{{ 'a' + 1 }}", "", "").render(List.of(), false));
        assertTrue(badAdd.getMessage().contains("unsupported operand types for +"), badAdd.getMessage());
    }
}
