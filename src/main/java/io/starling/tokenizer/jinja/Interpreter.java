package io.starling.tokenizer.jinja;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Evaluates parsed templates. Values are String, Long, Double, Boolean, null (none), List, Map or {@link #UNDEFINED}. */
final class Interpreter {
    static final Object UNDEFINED = new Object() {
        @Override
        public String toString() {
            return "Undefined";
        }
    };

    private final Deque<Map<String, Object>> scopes = new ArrayDeque<>();
    private final StringBuilder out = new StringBuilder();

    Interpreter(Map<String, Object> globals) {
        Map<String, Object> root = new HashMap<>();
        for (Map.Entry<String, Object> e : globals.entrySet()) {
            root.put(e.getKey(), Values.normalize(e.getValue()));
        }
        scopes.push(root);
    }

    String render(List<Node> nodes) {
        execute(nodes);
        return out.toString();
    }

    private void execute(List<Node> nodes) {
        for (Node node : nodes) {
            switch (node) {
                case Node.Text text -> out.append(text.text());
                case Node.Output output -> out.append(Values.str(eval(output.value())));
                case Node.If branch -> executeIf(branch);
                case Node.For loop -> executeFor(loop);
                case Node.Set set -> executeSet(set);
            }
        }
    }

    private void executeIf(Node.If branch) {
        for (int i = 0; i < branch.conditions().size(); i++) {
            if (Values.truthy(eval(branch.conditions().get(i)))) {
                execute(branch.branches().get(i));
                return;
            }
        }
        execute(branch.otherwise());
    }

    private void executeFor(Node.For loop) {
        List<Object> items = new ArrayList<>();
        Object iterable = eval(loop.iterable());
        for (Object item : Values.iterate(iterable)) {
            if (loop.condition() != null) {
                scopes.push(bind(loop.targets(), item, new HashMap<>()));
                boolean keep = Values.truthy(eval(loop.condition()));
                scopes.pop();
                if (!keep) {
                    continue;
                }
            }
            items.add(item);
        }
        if (items.isEmpty()) {
            execute(loop.otherwise());
            return;
        }
        for (int i = 0; i < items.size(); i++) {
            Map<String, Object> info = new HashMap<>();
            info.put("index0", (long) i);
            info.put("index", (long) i + 1);
            info.put("revindex0", (long) (items.size() - i - 1));
            info.put("revindex", (long) (items.size() - i));
            info.put("first", i == 0);
            info.put("last", i == items.size() - 1);
            info.put("length", (long) items.size());
            info.put("previtem", i > 0 ? items.get(i - 1) : UNDEFINED);
            info.put("nextitem", i + 1 < items.size() ? items.get(i + 1) : UNDEFINED);
            Map<String, Object> scope = new HashMap<>();
            scope.put("loop", info);
            scopes.push(bind(loop.targets(), items.get(i), scope));
            execute(loop.body());
            scopes.pop();
        }
    }

    private static Map<String, Object> bind(List<String> targets, Object item, Map<String, Object> scope) {
        if (targets.size() == 1) {
            scope.put(targets.getFirst(), item);
            return scope;
        }
        List<Object> parts = Values.iterate(item);
        if (parts.size() != targets.size()) {
            throw new TemplateException("cannot unpack " + parts.size() + " values into " + targets);
        }
        for (int i = 0; i < targets.size(); i++) {
            scope.put(targets.get(i), parts.get(i));
        }
        return scope;
    }

    private void executeSet(Node.Set set) {
        Object value = eval(set.value());
        if (set.attribute() == null) {
            scopes.peek().put(set.name(), value);
            return;
        }
        if (lookup(set.name()) instanceof Namespace namespace) {
            namespace.values().put(set.attribute(), value);
        } else {
            throw new TemplateException("cannot set attribute '" + set.attribute() + "' of '" + set.name() + "' (not a namespace)");
        }
    }

    private Object lookup(String name) {
        for (Map<String, Object> scope : scopes) {
            if (scope.containsKey(name)) {
                return scope.get(name);
            }
        }
        return UNDEFINED;
    }

    Object eval(Expr expr) {
        return switch (expr) {
            case Expr.Literal literal -> literal.value();
            case Expr.Variable variable -> lookup(variable.name());
            case Expr.Attribute attribute -> Values.attribute(eval(attribute.target()), attribute.name());
            case Expr.Index index -> Values.index(eval(index.target()), eval(index.index()));
            case Expr.Slice slice -> Values.slice(eval(slice.target()),
                    slice.start() == null ? null : eval(slice.start()), slice.stop() == null ? null : eval(slice.stop()));
            case Expr.Call call -> call(call);
            case Expr.Filter filter -> Filters.apply(filter.name(), eval(filter.value()), evalAll(filter.args()));
            case Expr.Test test -> Filters.test(test.name(), eval(test.value()), evalAll(test.args())) != test.negated();
            case Expr.Binary binary -> binary(binary);
            case Expr.Unary unary -> unary.operator().equals("not")
                    ? (Object) !Values.truthy(eval(unary.operand()))
                    : Values.negate(eval(unary.operand()));
            case Expr.Conditional conditional -> Values.truthy(eval(conditional.condition()))
                    ? eval(conditional.then()) : eval(conditional.otherwise());
            case Expr.ListLiteral list -> new ArrayList<>(evalAll(list.items()));
            case Expr.DictLiteral dict -> {
                Map<String, Object> map = new LinkedHashMap<>();
                for (int i = 0; i < dict.keys().size(); i++) {
                    map.put(Values.str(eval(dict.keys().get(i))), eval(dict.values().get(i)));
                }
                yield map;
            }
        };
    }

    private List<Object> evalAll(List<Expr> exprs) {
        List<Object> values = new ArrayList<>(exprs.size());
        for (Expr e : exprs) {
            values.add(eval(e));
        }
        return values;
    }

    private Object binary(Expr.Binary binary) {
        String op = binary.operator();
        if (op.equals("and")) {
            Object left = eval(binary.left());
            return Values.truthy(left) ? eval(binary.right()) : left;
        }
        if (op.equals("or")) {
            Object left = eval(binary.left());
            return Values.truthy(left) ? left : eval(binary.right());
        }
        return Values.binary(op, eval(binary.left()), eval(binary.right()));
    }

    private Object call(Expr.Call call) {
        List<Object> args = evalAll(call.args());
        Map<String, Object> keywords = new LinkedHashMap<>();
        for (int i = 0; i < call.keywords().size(); i++) {
            keywords.put(call.keywords().get(i), eval(call.keywordValues().get(i)));
        }
        if (call.callee() instanceof Expr.Attribute method) {
            return Methods.call(eval(method.target()), method.name(), args);
        }
        if (call.callee() instanceof Expr.Variable function) {
            Object bound = lookup(function.name());
            if (bound instanceof JinjaTemplate.Function f) {
                return Values.normalize(f.call(args));
            }
            return Functions.call(function.name(), args, keywords);
        }
        throw new TemplateException("cannot call " + call.callee());
    }

    /** {@code namespace(...)}: the one mutable object templates can set attributes on from inside loops. */
    record Namespace(Map<String, Object> values) {
    }
}
