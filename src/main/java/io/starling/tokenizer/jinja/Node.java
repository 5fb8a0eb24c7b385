package io.starling.tokenizer.jinja;

import java.util.List;

/** Template statements. */
sealed interface Node {
    record Text(String text) implements Node {
    }

    record Output(Expr value) implements Node {
    }

    record If(List<Expr> conditions, List<List<Node>> branches, List<Node> otherwise) implements Node {
    }

    record For(List<String> targets, Expr iterable, Expr condition, List<Node> body, List<Node> otherwise) implements Node {
    }

    record Set(String name, String attribute, Expr value) implements Node {
    }
}
