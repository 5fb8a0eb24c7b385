package io.starling.batch;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * OpenAI's File object, field for field: {@code id} ("file-…"), {@code object} "file", {@code bytes},
 * {@code created_at}, {@code filename}, {@code purpose} ({@code batch} for uploads, {@code batch_output} for a
 * batch's output and error files), and the deprecated {@code status} ("processed": a stored file is usable at once)
 * that SDKs still read.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record FileObject(String id, String object, long bytes, long createdAt, String filename, String purpose,
                         String status, Long expiresAt, String statusDetails) {

    public static final String BATCH = "batch";
    public static final String BATCH_OUTPUT = "batch_output";

    static FileObject of(String id, long bytes, long createdAt, String filename, String purpose) {
        return new FileObject(id, "file", bytes, createdAt, filename, purpose, "processed", null, null);
    }

    /** The answer of {@code DELETE /v1/files/{id}}. */
    public record Deleted(String id, String object, boolean deleted) {
        public static Deleted of(String id) {
            return new Deleted(id, "file", true);
        }
    }
}
