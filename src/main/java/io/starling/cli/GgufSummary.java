package io.starling.cli;

import io.starling.gguf.GgmlType;
import io.starling.gguf.GgufArray;
import io.starling.gguf.GgufFile;
import io.starling.gguf.GgufMetadata;
import io.starling.gguf.GgufTensor;
import java.io.PrintWriter;
import java.lang.reflect.Array;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What {@code starling inspect} shows of a GGUF file, as text (like gguf-dump) or as a JSON tree. */
final class GgufSummary {

    static final int ARRAY_PREVIEW = 16;

    private final GgufFile gguf;
    private final boolean fullArrays;

    GgufSummary(GgufFile gguf, boolean fullArrays) {
        this.gguf = gguf;
        this.fullArrays = fullArrays;
    }

    Map<String, Object> toJsonTree() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("version", gguf.version());
        root.put("architecture", gguf.architecture());
        root.put("alignment", gguf.alignment());
        root.put("data_offset", gguf.dataOffset());
        Map<String, Object> metadata = new LinkedHashMap<>();
        gguf.metadata().asMap().forEach((key, value) -> metadata.put(key, jsonValue(value)));
        root.put("metadata", metadata);
        List<Map<String, Object>> tensors = new ArrayList<>();
        for (GgufTensor t : gguf.tensors()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", t.name());
            row.put("type", t.type().name());
            row.put("shape", t.shape());
            row.put("offset", t.offset());
            row.put("bytes", t.byteSize());
            tensors.add(row);
        }
        root.put("tensors", tensors);
        return root;
    }

    private Object jsonValue(Object value) {
        if (value instanceof GgufArray array) {
            if (!fullArrays && array.length() > ARRAY_PREVIEW) {
                return array.length();
            }
            if (array.values() instanceof GgufArray[] nested) {
                List<Object> items = new ArrayList<>(nested.length);
                for (GgufArray item : nested) {
                    items.add(jsonValue(item));
                }
                return items;
            }
            return array.values();
        }
        return value;
    }

    void printText(PrintWriter out, Path file) {
        GgufMetadata md = gguf.metadata();
        String arch = gguf.architecture();
        out.printf("%s: GGUF v%d, %d metadata keys, %d tensors, alignment %d, data at offset %d, %d bytes%n",
                file, gguf.version(), md.keys().size(), gguf.tensors().size(), gguf.alignment(),
                gguf.dataOffset(), gguf.fileSize());
        out.println();
        out.println("summary:");
        row(out, "architecture", arch);
        row(out, "name", md.findString("general.name").orElse(null));
        if (arch != null) {
            row(out, "layers", md.get(arch + ".block_count"));
            row(out, "embedding length", md.get(arch + ".embedding_length"));
            row(out, "feed-forward length", md.get(arch + ".feed_forward_length"));
            row(out, "attention heads", md.get(arch + ".attention.head_count"));
            row(out, "attention kv heads", md.get(arch + ".attention.head_count_kv"));
            row(out, "context length", md.get(arch + ".context_length"));
            row(out, "rope dimensions", md.get(arch + ".rope.dimension_count"));
        }
        row(out, "tokenizer", md.findString("tokenizer.ggml.model").orElse(null));
        row(out, "vocab size", md.contains("tokenizer.ggml.tokens") ? md.getArray("tokenizer.ggml.tokens").length() : null);
        row(out, "tensor types", tensorTypeCounts());
        out.println();
        out.println("metadata:");
        md.asMap().forEach((key, value) -> out.printf("  %-44s %-8s %s%n", key, md.typeOf(key), textValue(value)));
        out.println();
        out.println("tensors:");
        out.printf("  %5s  %-36s %-6s %-24s %12s %12s%n", "#", "name", "type", "shape", "offset", "bytes");
        int index = 0;
        for (GgufTensor t : gguf.tensors()) {
            out.printf("  %5d  %-36s %-6s %-24s %12d %12d%n",
                    index++, t.name(), t.type(), InspectCommand.shape(t), t.offset(), t.byteSize());
        }
    }

    private String tensorTypeCounts() {
        Map<GgmlType, Integer> counts = new EnumMap<>(GgmlType.class);
        for (GgufTensor t : gguf.tensors()) {
            counts.merge(t.type(), 1, Integer::sum);
        }
        StringBuilder s = new StringBuilder();
        counts.forEach((type, n) -> s.append(s.isEmpty() ? "" : ", ").append(type).append(" x").append(n));
        return s.isEmpty() ? "none" : s.toString();
    }

    private static void row(PrintWriter out, String label, Object value) {
        if (value != null) {
            out.printf("  %-22s %s%n", label, value);
        }
    }

    private String textValue(Object value) {
        if (value instanceof GgufArray array) {
            StringBuilder s = new StringBuilder("[").append(array.elementType()).append(" x ").append(array.length());
            int shown = fullArrays ? array.length() : Math.min(array.length(), 8);
            if (shown > 0) {
                s.append(": ");
                for (int i = 0; i < shown; i++) {
                    Object item = Array.get(array.values(), i);
                    s.append(i == 0 ? "" : ", ").append(item instanceof String str ? quote(str) : textValue(item));
                }
                if (shown < array.length()) {
                    s.append(", ...");
                }
            }
            return s.append(']').toString();
        }
        return value instanceof String str ? quote(str) : String.valueOf(value);
    }

    private static String quote(String s) {
        StringBuilder q = new StringBuilder(s.length() + 2).append('"');
        int limit = Math.min(s.length(), 120);
        for (int i = 0; i < limit; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\n' -> q.append("\\n");
                case '\t' -> q.append("\\t");
                case '\r' -> q.append("\\r");
                case '"' -> q.append("\\\"");
                case '\\' -> q.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        q.append(String.format("\\u%04x", (int) c));
                    } else {
                        q.append(c);
                    }
                }
            }
        }
        if (limit < s.length()) {
            q.append("...(").append(s.length()).append(" chars)");
        }
        return q.append('"').toString();
    }
}
