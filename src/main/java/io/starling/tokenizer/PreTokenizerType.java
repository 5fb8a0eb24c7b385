package io.starling.tokenizer;

import java.util.List;
import java.util.Set;

/**
 * The BPE pre-tokenizers, by the names {@code tokenizer.ggml.pre} uses, with llama.cpp's regexes
 * (passes run in order, each cutting the pieces of the one before) and its per-type flags.
 */
enum PreTokenizerType {
    DEFAULT(Set.of("default"), false, false,
            regex("[\\p{P}\\$\\+<=>\\^~\\|]+"), new Gpt2Split(), regex("\\p{N}+"), regex("[0-9][0-9][0-9]")),
    GPT2(Set.of("gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es", "jina-v2-de", "mpt", "olmo",
            "jais", "exaone4", "trillion", "granite-docling", "a.x-4.0", "mellum"), false, false,
            new Gpt2Split()),
    LLAMA3(Set.of("llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2"), true, true,
            new Llama3Split()),
    DBRX(Set.of("dbrx", "smaug-bpe"), false, false,
            new Llama3Split()),
    QWEN2(Set.of("qwen2", "deepseek-r1-qwen", "megrez", "stablelm2", "hunyuan"), false, false,
            regex("(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}"
                    + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+")),
    STARCODER(Set.of("starcoder", "refact", "command-r", "smollm", "codeshell", "exaone", "minerva-7b"), false, false,
            regex("\\p{N}"), new Gpt2Split()),
    FALCON(Set.of("falcon"), false, false,
            regex("[\\p{P}\\$\\+<=>\\^~\\|`]+"), new Gpt2Split(), regex("[0-9][0-9][0-9]"));

    private final Set<String> names;
    private final boolean ignoreMerges;
    private final boolean addsBos;
    private final List<SplitStage> stages;

    PreTokenizerType(Set<String> names, boolean ignoreMerges, boolean addsBos, SplitStage... stages) {
        this.names = names;
        this.ignoreMerges = ignoreMerges;
        this.addsBos = addsBos;
        this.stages = List.of(stages);
    }

    private static SplitStage regex(String llamaCppRegex) {
        return new CollapsedRegexSplit(llamaCppRegex);
    }

    /** A missing {@code tokenizer.ggml.pre} means "default", as in llama.cpp; an unknown one is an error. */
    static PreTokenizerType forName(String name) {
        if (name == null || name.isEmpty()) {
            return DEFAULT;
        }
        for (PreTokenizerType type : values()) {
            if (type.names.contains(name)) {
                return type;
            }
        }
        throw new TokenizerException("unknown pre-tokenizer type '" + name + "' in tokenizer.ggml.pre");
    }

    /** A word that is itself a token is kept whole instead of being merged up from bytes (Llama 3). */
    boolean ignoreMerges() {
        return ignoreMerges;
    }

    boolean addsBos() {
        return addsBos;
    }

    /** Cuts {@code text} into words; returns their lengths in code points. */
    IntList split(CodepointText text) {
        IntList pieces = new IntList(16);
        pieces.add(text.count);
        for (SplitStage stage : stages) {
            IntList refined = new IntList(pieces.size() * 2 + 8);
            int start = 0;
            for (int i = 0; i < pieces.size(); i++) {
                int length = pieces.get(i);
                stage.split(text, start, start + length, refined);
                start += length;
            }
            pieces = refined;
        }
        return pieces;
    }
}
