package io.starling.tokenizer.jinja;

import java.util.List;
import java.util.Map;

/**
 * A small Jinja interpreter for the subset chat templates use: text with {@code {{ }}}, {@code if}/{@code for}/
 * {@code set}, loop variables, filters ({@code trim}, {@code length}, {@code tojson}, …), Python string and dict
 * methods ({@code .strip()}, {@code .get()}), {@code raise_exception}, {@code namespace}. Whitespace follows
 * Hugging Face's chat-template environment ({@code trim_blocks} and {@code lstrip_blocks} on). Parsed once,
 * rendered many times; rendering is thread-safe.
 */
public final class JinjaTemplate {
    private final List<Node> nodes;

    private JinjaTemplate(List<Node> nodes) {
        this.nodes = nodes;
    }

    /** @throws TemplateException if the source does not parse */
    public static JinjaTemplate parse(String source) {
        return new JinjaTemplate(Parser.parse(source));
    }

    /** A function callers can put among the variables, e.g. {@code strftime_now}. */
    @FunctionalInterface
    public interface Function {
        Object call(List<Object> args);
    }

    /**
     * Renders with the given variables (String, Number, Boolean, null, List, Map and {@link Function} values).
     *
     * @throws TemplateException on a rendering error or a {@code raise_exception} call
     */
    public String render(Map<String, Object> variables) {
        return new Interpreter(variables).render(nodes);
    }
}
