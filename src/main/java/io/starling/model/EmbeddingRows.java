package io.starling.model;

import io.starling.tensor.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Decodes token-embedding rows for one model instance (its thread alone). A table with a {@link Source} is read with
 * plain file reads instead of through the mapping: a row read through the mapping leaves its 64 KB neighbourhood
 * resident in the process (the kernel maps pages around a fault), so a server's resident size would creep up with
 * every new token until most of the table is in it (37 MB for a 32k vocabulary at width 2048, ~280 MB for Llama 3
 * 8B's), for one row of about a kilobyte read per token. A table tied to the output head is read whole by every step
 * anyway and has no source.
 */
final class EmbeddingRows {

    /** Reads {@code length} bytes of the table from byte {@code offset} of the tensor. */
    @FunctionalInterface
    interface Source {
        void read(long offset, byte[] dst, int length);
    }

    private final WeightMatrix table;
    private final Source source;
    private final byte[] bytes;
    private final MemorySegment row;

    EmbeddingRows(WeightMatrix table, Source source) {
        this.table = table;
        this.source = source;
        int rowBytes = Math.toIntExact(table.rowBytes());
        this.bytes = source == null ? null : new byte[rowBytes];
        // off-heap: the block formats read their scales with aligned accesses, which a byte[] segment refuses
        this.row = source == null ? null : Arena.ofAuto().allocate(rowBytes, 64);
    }

    /** Decodes the row of {@code token} into {@code dst[dstOffset .. dstOffset + cols)}. */
    void decode(int token, float[] dst, int dstOffset) {
        if (source == null) {
            table.dequantizeRow(token, dst, dstOffset);
            return;
        }
        source.read(table.rowOffset(token), bytes, bytes.length);
        MemorySegment.copy(bytes, 0, row, ValueLayout.JAVA_BYTE, 0, bytes.length);
        table.format().dequantize(row, 0, dst, dstOffset, table.cols());
    }
}
