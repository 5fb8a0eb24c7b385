package io.starling.kv;

import io.starling.model.ModelShape;

/**
 * The shape of one KV page: {@code pagePositions} consecutive positions of one sequence, for every layer, keys and
 * values, {@code kvDim} elements each. Inside a page the elements lie as {@code [layer][key|value][position][kvDim]},
 * so the keys (or values) of a run of positions of one layer are contiguous, which is how attention reads them.
 *
 * @param layers        transformer layers
 * @param kvDim         elements per position, layer and kind (key heads × head size)
 * @param pagePositions positions per page
 * @param dtype         element type
 */
public record KvLayout(int layers, int kvDim, int pagePositions, KvDtype dtype) {

    /** Positions per page when nothing else is asked for: vLLM's default block size. */
    public static final int DEFAULT_PAGE_POSITIONS = 16;

    public KvLayout {
        if (layers <= 0 || kvDim <= 0 || pagePositions <= 0) {
            throw new IllegalArgumentException("layers, kvDim and pagePositions must be positive: " + layers + ", "
                    + kvDim + ", " + pagePositions);
        }
        if (dtype == null) {
            throw new IllegalArgumentException("a KV layout needs an element type");
        }
        // the page size must be an exact long; reject shapes whose page would not fit one segment slice
        Math.multiplyExact(Math.multiplyExact(2L * layers, (long) pagePositions * kvDim), dtype.bytes());
    }

    /** Pages of {@code pagePositions} positions at F16 for a model of this shape. */
    public static KvLayout of(ModelShape shape, int pagePositions) {
        return new KvLayout(shape.layers(), shape.kvDim(), pagePositions, KvDtype.F16);
    }

    /** Bytes of one page. */
    public long pageBytes() {
        return 2L * layers * pagePositions * kvDim * dtype.bytes();
    }

    /** Byte offset inside a page of the key ({@code value == false}) or value of {@code positionInPage} in {@code layer}. */
    long offset(int layer, boolean value, int positionInPage) {
        long row = ((long) layer * 2 + (value ? 1 : 0)) * pagePositions + positionInPage;
        return row * kvDim * dtype.bytes();
    }

    /** Pages needed to hold {@code positions} positions. */
    public int pagesFor(int positions) {
        return (positions + pagePositions - 1) / pagePositions;
    }
}
