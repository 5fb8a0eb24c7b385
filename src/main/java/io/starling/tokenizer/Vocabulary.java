package io.starling.tokenizer;

import java.util.Arrays;
import java.util.BitSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Everything a tokenizer needs from a model's metadata, as plain arrays: token texts, scores, types,
 * merges, special token ids and the add-BOS/EOS/space-prefix flags. Built with {@link #builder}, which
 * applies llama.cpp's defaults for whatever the model file leaves out.
 */
public final class Vocabulary {
    /** The tokenizer families GGUF names in {@code tokenizer.ggml.model}. */
    public enum Model {
        /** SentencePiece BPE with scores and byte fallback ({@code "llama"}). */
        SPM("llama"),
        /** Byte-level BPE with merges and a pre-tokenizer ({@code "gpt2"}). */
        BPE("gpt2");

        private final String ggufName;

        Model(String ggufName) {
            this.ggufName = ggufName;
        }

        public String ggufName() {
            return ggufName;
        }

        public static Model fromGguf(String name) {
            for (Model model : values()) {
                if (model.ggufName.equals(name)) {
                    return model;
                }
            }
            throw new TokenizerException("unsupported tokenizer model '" + name + "' (supported: llama, gpt2)");
        }
    }

    public static final int NO_TOKEN = -1;

    // llama.cpp finds end-of-turn tokens by their text, since converters rarely record them.
    private static final Set<String> EOT_TEXTS = Set.of(
            "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>",
            "<EOT>", "_<EOT>", "<｜end▁of▁sentence｜>");
    private static final Set<String> EOG_TEXTS = Set.of(
            "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|eom_id|>",
            "<EOT>", "_<EOT>", "<|end_of_text|>", "<|return|>", "<|call|>", "<｜end▁of▁sentence｜>");

    private final Model model;
    private final PreTokenizerType preTokenizer;
    private final String[] tokens;
    private final float[] scores;
    private final int[] attrs;
    private final String[] merges;
    private final int bos;
    private final int eos;
    private final int unk;
    private final int pad;
    private final int eot;
    private final int eom;
    private final boolean addBos;
    private final boolean addEos;
    private final boolean addSpacePrefix;
    private final BitSet endOfGeneration;
    private final TextIds idsByText;

    private Vocabulary(Builder b) {
        this.model = b.model;
        this.preTokenizer = b.model == Model.BPE ? PreTokenizerType.forName(b.pre) : null;
        int n = b.tokens.length;
        this.tokens = new String[n];
        for (int i = 0; i < n; i++) {
            String text = Objects.requireNonNull(b.tokens[i], "token text");
            tokens[i] = text.isEmpty() ? "[EMPTY_" + i + "]" : text;
        }
        if (b.scores != null && b.scores.length < n) {
            throw new TokenizerException("scores has " + b.scores.length + " entries for " + n + " tokens");
        }
        if (b.tokenTypes != null && b.tokenTypes.length < n) {
            throw new TokenizerException("token_type has " + b.tokenTypes.length + " entries for " + n + " tokens");
        }
        this.scores = b.scores == null ? new float[n] : Arrays.copyOf(b.scores, n);
        this.attrs = new int[n];
        for (int i = 0; i < n; i++) {
            attrs[i] = b.tokenTypes == null ? TokenAttr.NORMAL : TokenAttr.fromType(TokenType.fromGguf(b.tokenTypes[i]));
        }
        if (b.model == Model.BPE && b.merges == null) {
            throw new TokenizerException("a gpt2 tokenizer needs tokenizer.ggml.merges");
        }
        this.merges = b.merges == null ? new String[0] : b.merges.clone();
        this.idsByText = new TextIds(tokens);

        boolean spm = b.model == Model.SPM;
        this.bos = specialId(b.bos, spm ? 1 : NO_TOKEN, n);
        this.eos = specialId(b.eos, spm ? 2 : NO_TOKEN, n);
        this.unk = specialId(b.unk, spm ? 0 : NO_TOKEN, n);
        this.pad = specialId(b.pad, NO_TOKEN, n);
        this.addBos = b.addBos != null ? b.addBos : spm || preTokenizer.addsBos();
        this.addEos = b.addEos != null && b.addEos;
        this.addSpacePrefix = b.addSpacePrefix != null ? b.addSpacePrefix : spm;
        if (addBos && bos == NO_TOKEN) {
            throw new TokenizerException("add_bos_token is true, but bos_token_id is not set");
        }
        if (addEos && eos == NO_TOKEN) {
            throw new TokenizerException("add_eos_token is true, but eos_token_id is not set");
        }

        int foundEot = specialId(b.eot, NO_TOKEN, n);
        int foundEom = specialId(b.eom, NO_TOKEN, n);
        this.endOfGeneration = new BitSet(n);
        for (int i = 0; i < n; i++) {
            String text = tokens[i];
            if (foundEot == NO_TOKEN && EOT_TEXTS.contains(text)) {
                foundEot = i;
                attrs[i] |= TokenAttr.CONTROL;
            }
            if (foundEom == NO_TOKEN && text.equals("<|eom_id|>")) {
                foundEom = i;
                attrs[i] |= TokenAttr.CONTROL;
            }
            if (EOG_TEXTS.contains(text)) {
                endOfGeneration.set(i);
                attrs[i] |= TokenAttr.CONTROL;
            }
        }
        this.eot = foundEot;
        this.eom = foundEom;
        for (int id : new int[] {eos, eot, eom}) {
            if (id != NO_TOKEN) {
                endOfGeneration.set(id);
            }
        }
        applyModelFixups(b.modelName);
    }

    /** phi-3's special tokens swallow the whitespace after them, as its Hugging Face tokenizer does. */
    private void applyModelFixups(String modelName) {
        String name = modelName == null ? "" : modelName.toLowerCase(Locale.ROOT);
        if (!(name.contains("phi-3") || name.contains("phi3"))) {
            return;
        }
        for (int i = 0; i < tokens.length; i++) {
            if ((attrs[i] & (TokenAttr.CONTROL | TokenAttr.USER_DEFINED | TokenAttr.UNKNOWN)) != 0) {
                attrs[i] |= TokenAttr.RSTRIP;
            }
        }
        setRstrip("</s>", true);
        for (String text : new String[] {"<unk>", "<s>", "<|endoftext|>"}) {
            setRstrip(text, false);
        }
    }

    private void setRstrip(String text, boolean on) {
        int id = idsByText.idOf(text);
        if (id != NO_TOKEN) {
            attrs[id] = on ? attrs[id] | TokenAttr.RSTRIP : attrs[id] & ~TokenAttr.RSTRIP;
        }
    }

    private static int specialId(Integer given, int fallback, int vocabSize) {
        if (given != null && given >= 0 && given < vocabSize) {
            return given;
        }
        return fallback < vocabSize ? fallback : NO_TOKEN;
    }

    public static Builder builder(Model model, String[] tokens) {
        return new Builder(model, tokens);
    }

    public Model model() {
        return model;
    }

    /** The BPE pre-tokenizer; null for SPM. */
    PreTokenizerType preTokenizer() {
        return preTokenizer;
    }

    public int size() {
        return tokens.length;
    }

    public String token(int id) {
        return tokens[id];
    }

    public float score(int id) {
        return scores[id];
    }

    int attr(int id) {
        return attrs[id];
    }

    public boolean isControl(int id) {
        return (attrs[id] & TokenAttr.CONTROL) != 0;
    }

    String[] merges() {
        return merges;
    }

    /** The id whose text is exactly {@code text}, or {@link #NO_TOKEN}. */
    public int idOf(String text) {
        return idsByText.idOf(text);
    }

    public int bos() {
        return bos;
    }

    public int eos() {
        return eos;
    }

    public int unk() {
        return unk;
    }

    public int pad() {
        return pad;
    }

    /** End of turn ({@code <|eot_id|>}, {@code <|im_end|>}, …), or {@link #NO_TOKEN}. */
    public int eot() {
        return eot;
    }

    public boolean addBos() {
        return addBos;
    }

    public boolean addEos() {
        return addEos;
    }

    public boolean addSpacePrefix() {
        return addSpacePrefix;
    }

    public boolean isEndOfGeneration(int id) {
        return id >= 0 && endOfGeneration.get(id);
    }

    /** Every id that ends generation, for a generator's stop set. */
    public Set<Integer> endOfGenerationTokens() {
        return Set.copyOf(endOfGeneration.stream().boxed().toList());
    }

    /** Collects metadata values; anything left null takes llama.cpp's default for the model. */
    public static final class Builder {
        private final Model model;
        private final String[] tokens;
        private float[] scores;
        private int[] tokenTypes;
        private String[] merges;
        private String pre;
        private String modelName;
        private Integer bos;
        private Integer eos;
        private Integer unk;
        private Integer pad;
        private Integer eot;
        private Integer eom;
        private Boolean addBos;
        private Boolean addEos;
        private Boolean addSpacePrefix;

        private Builder(Model model, String[] tokens) {
            this.model = Objects.requireNonNull(model, "model");
            this.tokens = Objects.requireNonNull(tokens, "tokens");
        }

        public Builder scores(float[] scores) {
            this.scores = scores;
            return this;
        }

        public Builder tokenTypes(int[] tokenTypes) {
            this.tokenTypes = tokenTypes;
            return this;
        }

        public Builder merges(String[] merges) {
            this.merges = merges;
            return this;
        }

        /** {@code tokenizer.ggml.pre}; null means "default". */
        public Builder preTokenizer(String pre) {
            this.pre = pre;
            return this;
        }

        /** {@code general.name}: a few models get token attribute fix-ups by name, as in llama.cpp. */
        public Builder modelName(String modelName) {
            this.modelName = modelName;
            return this;
        }

        public Builder bos(Integer id) {
            this.bos = id;
            return this;
        }

        public Builder eos(Integer id) {
            this.eos = id;
            return this;
        }

        public Builder unk(Integer id) {
            this.unk = id;
            return this;
        }

        public Builder pad(Integer id) {
            this.pad = id;
            return this;
        }

        public Builder eot(Integer id) {
            this.eot = id;
            return this;
        }

        public Builder eom(Integer id) {
            this.eom = id;
            return this;
        }

        public Builder addBos(Boolean addBos) {
            this.addBos = addBos;
            return this;
        }

        public Builder addEos(Boolean addEos) {
            this.addEos = addEos;
            return this;
        }

        public Builder addSpacePrefix(Boolean addSpacePrefix) {
            this.addSpacePrefix = addSpacePrefix;
            return this;
        }

        public Vocabulary build() {
            return new Vocabulary(this);
        }
    }
}
