package io.starling.tokenizer;

/**
 * Token ids by their exact text: an open-addressing table, at most half full, of ids into the vocabulary's own
 * strings. A {@code HashMap<String, Integer>} took ~50 bytes a token beside them (1.6 MB for a 32k vocabulary,
 * 6.4 MB for a 128k one); this takes 8 at most. A later duplicate text wins, as in llama.cpp's token_to_id map.
 */
final class TextIds {
    private final String[] texts;
    private final int[] slots; // id + 1; 0 = empty
    private final int mask;

    /** @param texts the vocabulary's texts by id, which the table reads and must not change */
    TextIds(String[] texts) {
        this.texts = texts;
        int size = Integer.highestOneBit(Math.max(2, texts.length) * 2 - 1) << 1;
        this.slots = new int[size];
        this.mask = size - 1;
        for (int id = 0; id < texts.length; id++) {
            slots[slotOf(texts[id])] = id + 1;
        }
    }

    /** The id whose text is {@code text}, or -1. */
    int idOf(String text) {
        return slots[slotOf(text)] - 1;
    }

    /** The slot holding {@code text}, or the empty slot where it would go. */
    private int slotOf(String text) {
        int h = text.hashCode() * 0x9E3779B1;
        int slot = (h ^ (h >>> 16)) & mask;
        while (slots[slot] != 0 && !texts[slots[slot] - 1].equals(text)) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }
}
