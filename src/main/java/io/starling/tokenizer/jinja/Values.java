package io.starling.tokenizer.jinja;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Python-flavoured operations on template values: truthiness, printing, indexing, arithmetic, comparison. */
final class Values {
    private Values() {
    }

    /** Converts caller values (Integer, arrays, records of maps…) to the interpreter's forms. */
    static Object normalize(Object value) {
        return switch (value) {
            case Integer i -> (long) i;
            case Short s -> (long) s;
            case Float f -> (double) f;
            case Map<?, ?> map -> {
                Map<String, Object> copy = new LinkedHashMap<>();
                map.forEach((k, v) -> copy.put(String.valueOf(k), normalize(v)));
                yield copy;
            }
            case Collection<?> list -> {
                List<Object> copy = new ArrayList<>(list.size());
                list.forEach(v -> copy.add(normalize(v)));
                yield copy;
            }
            case null, default -> value;
        };
    }

    static boolean truthy(Object value) {
        return switch (value) {
            case null -> false;
            case Boolean b -> b;
            case Long l -> l != 0;
            case Double d -> d != 0;
            case String s -> !s.isEmpty();
            case Collection<?> c -> !c.isEmpty();
            case Map<?, ?> m -> !m.isEmpty();
            default -> value != Interpreter.UNDEFINED;
        };
    }

    /** How {@code {{ value }}} prints it (Python's str). */
    static String str(Object value) {
        return switch (value) {
            case null -> "None";
            case String s -> s;
            case Boolean b -> b ? "True" : "False";
            case List<?> list -> {
                StringBuilder out = new StringBuilder("[");
                for (int i = 0; i < list.size(); i++) {
                    out.append(i == 0 ? "" : ", ").append(repr(list.get(i)));
                }
                yield out.append(']').toString();
            }
            case Map<?, ?> map -> {
                StringBuilder out = new StringBuilder("{");
                map.forEach((k, v) -> out.append(out.length() == 1 ? "" : ", ").append(repr(k)).append(": ").append(repr(v)));
                yield out.append('}').toString();
            }
            case Interpreter.Namespace ns -> "<Namespace " + ns.values() + ">";
            default -> value == Interpreter.UNDEFINED ? "" : value.toString();
        };
    }

    private static String repr(Object value) {
        return value instanceof String s ? "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'" : str(value);
    }

    static String typeName(Object value) {
        return switch (value) {
            case null -> "none";
            case String _ -> "string";
            case Long _ -> "integer";
            case Double _ -> "float";
            case Boolean _ -> "boolean";
            case List<?> _ -> "list";
            case Map<?, ?> _ -> "dict";
            default -> value == Interpreter.UNDEFINED ? "undefined" : value.getClass().getSimpleName();
        };
    }

    static List<Object> iterate(Object value) {
        return switch (value) {
            case List<?> list -> new ArrayList<>(list);
            case Map<?, ?> map -> new ArrayList<>(map.keySet());
            case String s -> new ArrayList<>(s.codePoints().mapToObj(Character::toString).toList());
            case null, default -> {
                if (value == Interpreter.UNDEFINED) {
                    yield List.of();
                }
                throw new TemplateException("'" + typeName(value) + "' is not iterable");
            }
        };
    }

    static Object attribute(Object target, String name) {
        if (target instanceof Interpreter.Namespace ns) {
            return ns.values().getOrDefault(name, Interpreter.UNDEFINED);
        }
        if (target instanceof Map<?, ?> map) {
            return map.containsKey(name) ? map.get(name) : Interpreter.UNDEFINED;
        }
        if (target == Interpreter.UNDEFINED) {
            throw new TemplateException("undefined value has no attribute '" + name + "'");
        }
        return Interpreter.UNDEFINED;
    }

    static Object index(Object target, Object key) {
        if (target instanceof Map<?, ?> map) {
            String k = str(key);
            return map.containsKey(k) ? map.get(k) : Interpreter.UNDEFINED;
        }
        if (target instanceof Interpreter.Namespace ns) {
            return ns.values().getOrDefault(str(key), Interpreter.UNDEFINED);
        }
        if (key instanceof Long i && (target instanceof List<?> || target instanceof String)) {
            List<Object> items = iterate(target);
            int at = (int) (i < 0 ? items.size() + i : i);
            if (at < 0 || at >= items.size()) {
                throw new TemplateException("index " + i + " is out of range (size " + items.size() + ")");
            }
            return items.get(at);
        }
        if (target == Interpreter.UNDEFINED) {
            throw new TemplateException("undefined value cannot be indexed with " + str(key));
        }
        return Interpreter.UNDEFINED;
    }

    static Object slice(Object target, Object start, Object stop) {
        List<Object> items = iterate(target);
        int n = items.size();
        int from = clamp(start == null ? 0 : toLong(start), n);
        int to = clamp(stop == null ? n : toLong(stop), n);
        List<Object> part = from < to ? new ArrayList<>(items.subList(from, to)) : new ArrayList<>();
        if (target instanceof String) {
            StringBuilder s = new StringBuilder();
            part.forEach(s::append);
            return s.toString();
        }
        return part;
    }

    private static int clamp(long index, int size) {
        long i = index < 0 ? size + index : index;
        return (int) Math.max(0, Math.min(size, i));
    }

    static long toLong(Object value) {
        return switch (value) {
            case Long l -> l;
            case Double d -> (long) (double) d;
            case Boolean b -> b ? 1 : 0;
            case null, default -> throw new TemplateException("expected a number, got " + typeName(value));
        };
    }

    static Object negate(Object value) {
        return switch (value) {
            case Long l -> -l;
            case Double d -> -d;
            case null, default -> throw new TemplateException("cannot negate " + typeName(value));
        };
    }

    static boolean equal(Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y) {
            return x.doubleValue() == y.doubleValue();
        }
        return Objects.equals(a, b);
    }

    static Object binary(String op, Object a, Object b) {
        return switch (op) {
            case "==" -> equal(a, b);
            case "!=" -> !equal(a, b);
            case "<", ">", "<=", ">=" -> {
                int c = compare(a, b);
                yield switch (op) {
                    case "<" -> c < 0;
                    case ">" -> c > 0;
                    case "<=" -> c <= 0;
                    default -> c >= 0;
                };
            }
            case "in" -> contains(b, a);
            case "~" -> str(a) + str(b);
            case "+" -> plus(a, b);
            default -> arithmetic(op, a, b);
        };
    }

    private static Object plus(Object a, Object b) {
        if (a instanceof String x && b instanceof String y) {
            return x + y;
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            List<Object> joined = new ArrayList<>(x);
            joined.addAll(y);
            return joined;
        }
        if (a instanceof Number && b instanceof Number) {
            return arithmetic("+", a, b);
        }
        throw new TemplateException("unsupported operand types for +: '" + typeName(a) + "' and '" + typeName(b) + "'");
    }

    private static Object arithmetic(String op, Object a, Object b) {
        if (op.equals("*") && a instanceof String s && b instanceof Long n) {
            return s.repeat((int) Math.max(0, n));
        }
        if (!(a instanceof Number x) || !(b instanceof Number y)) {
            throw new TemplateException("unsupported operand types for " + op + ": '" + typeName(a) + "' and '" + typeName(b) + "'");
        }
        if (a instanceof Long l && b instanceof Long r && !op.equals("/")) {
            if ((op.equals("%") || op.equals("//")) && r == 0) {
                throw new TemplateException("integer division or modulo by zero");
            }
            return switch (op) {
                case "+" -> l + r;
                case "-" -> l - r;
                case "*" -> l * r;
                case "//" -> Math.floorDiv(l, r);
                default -> Math.floorMod(l, r);
            };
        }
        double l = x.doubleValue();
        double r = y.doubleValue();
        return switch (op) {
            case "+" -> l + r;
            case "-" -> l - r;
            case "*" -> l * r;
            case "/" -> l / r;
            case "//" -> Math.floor(l / r);
            default -> l - Math.floor(l / r) * r;
        };
    }

    private static int compare(Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y) {
            return Double.compare(x.doubleValue(), y.doubleValue());
        }
        if (a instanceof String x && b instanceof String y) {
            return x.compareTo(y);
        }
        throw new TemplateException("cannot compare '" + typeName(a) + "' with '" + typeName(b) + "'");
    }

    private static boolean contains(Object container, Object item) {
        return switch (container) {
            case String s -> item instanceof String sub && s.contains(sub);
            case List<?> list -> list.stream().anyMatch(x -> equal(x, item));
            case Map<?, ?> map -> map.containsKey(str(item));
            case null, default -> {
                if (container == Interpreter.UNDEFINED) {
                    yield false;
                }
                throw new TemplateException("argument of type '" + typeName(container) + "' is not iterable");
            }
        };
    }
}
