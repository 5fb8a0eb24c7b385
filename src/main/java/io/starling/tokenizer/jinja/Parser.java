package io.starling.tokenizer.jinja;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Parses segments into statements and expressions: {@code if/elif/else}, {@code for … in … [if …]}
 * with {@code else}, {@code set} (also {@code set ns.attr}), and expressions with Jinja's precedence
 * (filters bind tighter than arithmetic, {@code ~} below {@code + -}, tests after {@code is}).
 */
final class Parser {
    private final List<Lexer.Segment> segments;
    private int index;
    private List<Token> tokens;
    private int pos;
    private int line;

    private Parser(List<Lexer.Segment> segments) {
        this.segments = segments;
    }

    static List<Node> parse(String source) {
        Parser parser = new Parser(Lexer.segments(source));
        List<Node> body = parser.body(Set.of());
        if (parser.index < parser.segments.size()) {
            throw new TemplateException("unexpected '" + parser.segments.get(parser.index).content() + "' at line "
                    + parser.segments.get(parser.index).line());
        }
        return body;
    }

    /** Parses nodes until a statement whose keyword is in {@code terminators}; leaves it unconsumed. */
    private List<Node> body(Set<String> terminators) {
        List<Node> nodes = new ArrayList<>();
        while (index < segments.size()) {
            Lexer.Segment segment = segments.get(index);
            switch (segment.kind()) {
                case TEXT -> {
                    nodes.add(new Node.Text(segment.content()));
                    index++;
                }
                case EXPRESSION -> {
                    begin(segment);
                    Expr value = expression();
                    expectEnd();
                    nodes.add(new Node.Output(value));
                    index++;
                }
                case STATEMENT -> {
                    begin(segment);
                    String keyword = name();
                    if (terminators.contains(keyword)) {
                        pos--; // the caller reads the terminator
                        return nodes;
                    }
                    index++;
                    nodes.add(statement(keyword));
                }
            }
        }
        if (!terminators.isEmpty()) {
            throw new TemplateException("missing {% " + String.join(" / ", terminators) + " %} at end of template");
        }
        return nodes;
    }

    private Node statement(String keyword) {
        return switch (keyword) {
            case "if" -> ifStatement();
            case "for" -> forStatement();
            case "set" -> setStatement();
            default -> throw new TemplateException("unsupported tag '" + keyword + "' at line " + line);
        };
    }

    private Node ifStatement() {
        List<Expr> conditions = new ArrayList<>();
        List<List<Node>> branches = new ArrayList<>();
        conditions.add(expression());
        expectEnd();
        List<Node> otherwise = List.of();
        while (true) {
            branches.add(body(Set.of("elif", "else", "endif")));
            String keyword = name();
            index++;
            if (keyword.equals("elif")) {
                conditions.add(expression());
                expectEnd();
            } else if (keyword.equals("else")) {
                expectEnd();
                otherwise = body(Set.of("endif"));
                name();
                expectEnd();
                index++;
                break;
            } else {
                expectEnd();
                break;
            }
        }
        return new Node.If(conditions, branches, otherwise);
    }

    private Node forStatement() {
        List<String> targets = new ArrayList<>();
        targets.add(name());
        while (accept(",")) {
            targets.add(name());
        }
        if (!name().equals("in")) {
            throw new TemplateException("expected 'in' in for loop at line " + line);
        }
        Expr iterable = or(); // a trailing "if" filters the loop; it is not a conditional expression
        Expr condition = accept("if") ? expression() : null;
        expectEnd();
        List<Node> body = body(Set.of("else", "endfor"));
        List<Node> otherwise = List.of();
        if (name().equals("else")) {
            expectEnd();
            index++;
            otherwise = body(Set.of("endfor"));
            name();
        }
        expectEnd();
        index++;
        return new Node.For(targets, iterable, condition, body, otherwise);
    }

    private Node setStatement() {
        String name = name();
        String attribute = accept(".") ? name() : null;
        expect("=");
        Expr value = expression();
        expectEnd();
        return new Node.Set(name, attribute, value);
    }

    // ---- expressions

    private Expr expression() {
        Expr value = or();
        if (accept("if")) {
            Expr condition = or();
            Expr otherwise = accept("else") ? expression() : new Expr.Literal(Interpreter.UNDEFINED);
            return new Expr.Conditional(condition, value, otherwise);
        }
        return value;
    }

    private Expr or() {
        Expr left = and();
        while (accept("or")) {
            left = new Expr.Binary("or", left, and());
        }
        return left;
    }

    private Expr and() {
        Expr left = not();
        while (accept("and")) {
            left = new Expr.Binary("and", left, not());
        }
        return left;
    }

    private Expr not() {
        if (accept("not")) {
            return new Expr.Unary("not", not());
        }
        return comparison();
    }

    private Expr comparison() {
        Expr left = additive();
        while (true) {
            Token t = peek();
            if (t.type() == Token.Type.OPERATOR && Set.of("==", "!=", "<", ">", "<=", ">=").contains(t.text())) {
                pos++;
                left = new Expr.Binary(t.text(), left, additive());
            } else if (t.is("in")) {
                pos++;
                left = new Expr.Binary("in", left, additive());
            } else if (t.is("not") && tokens.get(pos + 1).is("in")) {
                pos += 2;
                left = new Expr.Unary("not", new Expr.Binary("in", left, additive()));
            } else if (t.is("is")) {
                pos++;
                boolean negated = accept("not");
                String test = name();
                List<Expr> args = new ArrayList<>();
                if (accept("(")) {
                    args = arguments(null, null);
                } else if (peek().type() != Token.Type.END && !peek().is("and") && !peek().is("or")
                        && !peek().is("else") && !peek().is(")") && !peek().is("]") && !peek().is(",") && !peek().is("if")) {
                    args.add(additive());
                }
                left = new Expr.Test(left, test, negated, args);
            } else {
                return left;
            }
        }
    }

    private Expr additive() {
        Expr left = concat();
        while (peek().is("+") || peek().is("-")) {
            String op = tokens.get(pos++).text();
            left = new Expr.Binary(op, left, concat());
        }
        return left;
    }

    private Expr concat() {
        Expr left = multiplicative();
        while (accept("~")) {
            left = new Expr.Binary("~", left, multiplicative());
        }
        return left;
    }

    private Expr multiplicative() {
        Expr left = unary();
        while (peek().is("*") || peek().is("/") || peek().is("//") || peek().is("%")) {
            String op = tokens.get(pos++).text();
            left = new Expr.Binary(op, left, unary());
        }
        return left;
    }

    private Expr unary() {
        if (accept("-")) {
            return new Expr.Unary("-", unary());
        }
        if (accept("+")) {
            return unary();
        }
        Expr value = postfix(primary());
        while (accept("|")) {
            String filter = name();
            List<Expr> args = accept("(") ? arguments(null, null) : List.of();
            value = postfix(new Expr.Filter(value, filter, args));
        }
        return value;
    }

    private Expr postfix(Expr value) {
        while (true) {
            if (accept(".")) {
                value = new Expr.Attribute(value, name());
            } else if (accept("[")) {
                Expr start = peek().is(":") ? null : expression();
                if (accept(":")) {
                    Expr stop = peek().is("]") ? null : expression();
                    expect("]");
                    value = new Expr.Slice(value, start, stop);
                } else {
                    expect("]");
                    value = new Expr.Index(value, start);
                }
            } else if (accept("(")) {
                List<String> keywords = new ArrayList<>();
                List<Expr> keywordValues = new ArrayList<>();
                List<Expr> args = arguments(keywords, keywordValues);
                value = new Expr.Call(value, args, keywords, keywordValues);
            } else {
                return value;
            }
        }
    }

    /** Arguments after an opening parenthesis, through the closing one. */
    private List<Expr> arguments(List<String> keywords, List<Expr> keywordValues) {
        List<Expr> args = new ArrayList<>();
        while (!accept(")")) {
            if (peek().type() == Token.Type.NAME && tokens.get(pos + 1).is("=")) {
                String keyword = name();
                pos++;
                Expr value = expression();
                if (keywords != null) {
                    keywords.add(keyword);
                    keywordValues.add(value);
                }
            } else {
                args.add(expression());
            }
            if (!peek().is(")")) {
                expect(",");
            }
        }
        return args;
    }

    private Expr primary() {
        Token t = tokens.get(pos++);
        switch (t.type()) {
            case STRING, NUMBER -> {
                Object value = t.value();
                while (t.type() == Token.Type.STRING && peek().type() == Token.Type.STRING) {
                    value = value + (String) tokens.get(pos++).value(); // adjacent literals concatenate
                }
                return new Expr.Literal(value);
            }
            case NAME -> {
                return switch (t.text()) {
                    case "true", "True" -> new Expr.Literal(Boolean.TRUE);
                    case "false", "False" -> new Expr.Literal(Boolean.FALSE);
                    case "none", "None" -> new Expr.Literal(null);
                    default -> new Expr.Variable(t.text());
                };
            }
            case OPERATOR -> {
                if (t.is("(")) {
                    Expr inner = expression();
                    expect(")");
                    return inner;
                }
                if (t.is("[")) {
                    List<Expr> items = new ArrayList<>();
                    while (!accept("]")) {
                        items.add(expression());
                        if (!peek().is("]")) {
                            expect(",");
                        }
                    }
                    return new Expr.ListLiteral(items);
                }
                if (t.is("{")) {
                    List<Expr> keys = new ArrayList<>();
                    List<Expr> values = new ArrayList<>();
                    while (!accept("}")) {
                        keys.add(expression());
                        expect(":");
                        values.add(expression());
                        if (!peek().is("}")) {
                            expect(",");
                        }
                    }
                    return new Expr.DictLiteral(keys, values);
                }
            }
            default -> {
            }
        }
        throw new TemplateException("unexpected '" + t.text() + "' at line " + line);
    }

    // ---- token helpers

    private void begin(Lexer.Segment segment) {
        tokens = Token.tokenize(segment.content(), segment.line());
        pos = 0;
        line = segment.line();
    }

    private Token peek() {
        return tokens.get(pos);
    }

    private boolean accept(String text) {
        if (peek().is(text)) {
            pos++;
            return true;
        }
        return false;
    }

    private void expect(String text) {
        if (!accept(text)) {
            throw new TemplateException("expected '" + text + "' but found '" + peek().text() + "' at line " + line);
        }
    }

    private void expectEnd() {
        if (peek().type() != Token.Type.END) {
            throw new TemplateException("unexpected '" + peek().text() + "' at line " + line);
        }
    }

    private String name() {
        Token t = peek();
        if (t.type() != Token.Type.NAME) {
            throw new TemplateException("expected a name but found '" + t.text() + "' at line " + line);
        }
        pos++;
        return t.text();
    }
}
