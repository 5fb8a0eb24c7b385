package io.starling.model;

/**
 * The output rows of one {@link LlamaModel#forward} call, {@code vocabSize} logits each, in the batch's output
 * order. A view of the model's scratch space: valid until the model's next call, so copy what must outlive it.
 */
public final class Logits {

    private float[] data = new float[0];
    private int rows;
    private final int vocabSize;

    Logits(int vocabSize) {
        this.vocabSize = vocabSize;
    }

    /** The buffer the model writes into, grown to hold {@code rows} rows. */
    float[] reset(int rows) {
        long needed = (long) rows * vocabSize;
        if (data.length < needed) {
            data = new float[Math.toIntExact(needed)];
        }
        this.rows = rows;
        return data;
    }

    public int rows() {
        return rows;
    }

    public int vocabSize() {
        return vocabSize;
    }

    /** The backing array: row r occupies {@code [offset(r), offset(r) + vocabSize())}. */
    public float[] array() {
        return data;
    }

    public int offset(int row) {
        if (row < 0 || row >= rows) {
            throw new IndexOutOfBoundsException("row " + row + " of " + rows);
        }
        return row * vocabSize;
    }

    public float get(int row, int token) {
        return data[offset(row) + token];
    }

    /** A copy of one row. */
    public float[] row(int row) {
        int offset = offset(row);
        float[] copy = new float[vocabSize];
        System.arraycopy(data, offset, copy, 0, vocabSize);
        return copy;
    }
}
