package io.starling.tokenizer.jinja;

import java.util.List;

/** Template expressions. */
sealed interface Expr {
    record Literal(Object value) implements Expr {
    }

    record Variable(String name) implements Expr {
    }

    record Attribute(Expr target, String name) implements Expr {
    }

    record Index(Expr target, Expr index) implements Expr {
    }

    record Slice(Expr target, Expr start, Expr stop) implements Expr {
    }

    record Call(Expr callee, List<Expr> args, List<String> keywords, List<Expr> keywordValues) implements Expr {
    }

    record Filter(Expr value, String name, List<Expr> args) implements Expr {
    }

    record Test(Expr value, String name, boolean negated, List<Expr> args) implements Expr {
    }

    record Binary(String operator, Expr left, Expr right) implements Expr {
    }

    record Unary(String operator, Expr operand) implements Expr {
    }

    record Conditional(Expr condition, Expr then, Expr otherwise) implements Expr {
    }

    record ListLiteral(List<Expr> items) implements Expr {
    }

    record DictLiteral(List<Expr> keys, List<Expr> values) implements Expr {
    }
}
