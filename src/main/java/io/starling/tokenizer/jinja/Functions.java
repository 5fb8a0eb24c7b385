package io.starling.tokenizer.jinja;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Global functions: {@code raise_exception} (Hugging Face's template helper), {@code range}, {@code namespace}. */
final class Functions {
    private Functions() {
    }

    static Object call(String name, List<Object> args, Map<String, Object> keywords) {
        return switch (name) {
            case "raise_exception" -> throw new TemplateException(args.isEmpty() ? "template raised an exception" : Values.str(args.getFirst()));
            case "range" -> {
                long start = args.size() > 1 ? Values.toLong(args.get(0)) : 0;
                long stop = Values.toLong(args.get(args.size() > 1 ? 1 : 0));
                long step = args.size() > 2 ? Values.toLong(args.get(2)) : 1;
                List<Object> values = new ArrayList<>();
                for (long i = start; step > 0 ? i < stop : i > stop; i += step) {
                    values.add(i);
                }
                yield values;
            }
            case "namespace" -> new Interpreter.Namespace(new HashMap<>(keywords));
            case "dict" -> new HashMap<>(keywords);
            default -> throw new TemplateException("unknown function '" + name + "'");
        };
    }
}
