package io.starling.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The {@link Tokenizer} for a {@link Vocabulary}: special-token splitting, then SPM or BPE per fragment. */
final class VocabTokenizer implements Tokenizer {
    /** Below this a prompt rarely repeats a word, and a word cache would cost more than it saves. */
    private static final int CACHE_MIN_BYTES = 512;

    private final Vocabulary vocab;
    private final SpmEncoder spm;
    private final BpeEncoder bpe;
    private final SpecialTokenSplitter specialTokens;
    private final TokenPieces pieces;

    VocabTokenizer(Vocabulary vocab) {
        this.vocab = vocab;
        this.spm = vocab.model() == Vocabulary.Model.SPM ? new SpmEncoder(vocab) : null;
        this.bpe = vocab.model() == Vocabulary.Model.BPE ? new BpeEncoder(vocab) : null;
        this.specialTokens = new SpecialTokenSplitter(vocab);
        this.pieces = new TokenPieces(vocab);
    }

    @Override
    public EncodedText encode(String text, boolean addSpecial, boolean parseSpecial) {
        return encode(text.getBytes(StandardCharsets.UTF_8), addSpecial, parseSpecial);
    }

    @Override
    public EncodedText encode(byte[] utf8, boolean addSpecial, boolean parseSpecial) {
        TokenSink sink = new TokenSink(utf8.length / 2 + 4);
        if (addSpecial && vocab.addBos()) {
            sink.add(vocab.bos(), 0, 0);
        }
        List<SpecialTokenSplitter.Fragment> fragments = specialTokens.split(utf8, 0, utf8.length, parseSpecial);
        WordCache cache = utf8.length >= CACHE_MIN_BYTES ? new WordCache() : null;
        boolean afterSpecial = true; // SentencePiece puts the dummy prefix at the start and after each special token
        for (SpecialTokenSplitter.Fragment fragment : fragments) {
            if (!fragment.isText()) {
                sink.add(fragment.tokenId(), fragment.start(), fragment.end());
                afterSpecial = true;
            } else if (spm != null) {
                spm.encode(utf8, fragment.start(), fragment.end(), vocab.addSpacePrefix() && afterSpecial, sink, cache);
                afterSpecial = false;
            } else {
                bpe.encode(utf8, fragment.start(), fragment.end(), sink, cache);
            }
        }
        if (addSpecial && vocab.addEos()) {
            sink.add(vocab.eos(), utf8.length, utf8.length);
        }
        return sink.toEncodedText(utf8.length);
    }

    @Override
    public String decode(int[] ids) {
        return decode(ids, true, false);
    }

    @Override
    public String decode(int[] ids, boolean startOfText, boolean renderSpecial) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(ids.length * 4);
        boolean stripSpace = startOfText && vocab.addSpacePrefix();
        for (int id : ids) {
            checkId(id);
            if (pieces.isHidden(id) && !renderSpecial) {
                continue;
            }
            byte[] piece = pieces.piece(id);
            int skip = stripSpace && piece.length > 0 && piece[0] == ' ' ? 1 : 0;
            stripSpace = false;
            out.write(piece, skip, piece.length - skip);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Override
    public byte[] tokenBytes(int id) {
        checkId(id);
        return pieces.piece(id).clone();
    }

    @Override
    public String tokenText(int id) {
        checkId(id);
        return vocab.token(id);
    }

    @Override
    public StreamingDecoder newStreamingDecoder() {
        return new StreamingDecoder(pieces, false);
    }

    @Override
    public int vocabSize() {
        return vocab.size();
    }

    @Override
    public int bos() {
        return vocab.bos();
    }

    @Override
    public int eos() {
        return vocab.eos();
    }

    @Override
    public boolean isEndOfGeneration(int id) {
        return vocab.isEndOfGeneration(id);
    }

    @Override
    public boolean addBos() {
        return vocab.addBos();
    }

    @Override
    public Vocabulary vocabulary() {
        return vocab;
    }

    private void checkId(int id) {
        if (id < 0 || id >= vocab.size()) {
            throw new IllegalArgumentException("token id " + id + " is outside the vocabulary (size " + vocab.size() + ")");
        }
    }
}
