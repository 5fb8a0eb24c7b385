package io.starling.batch;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;

/**
 * OpenAI's Batch object, field for field, as {@code /v1/batches} answers it and as it is kept on disk. Mutable,
 * but only {@link BatchManager} changes it, under its lock, and every answer is a {@link #copy}.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE)
public final class BatchObject {

    /** A batch's life: validating → in_progress → finalizing → completed, or failed / expired / cancelled. */
    public enum Status {
        VALIDATING, FAILED, IN_PROGRESS, FINALIZING, COMPLETED, EXPIRED, CANCELLING, CANCELLED;

        @JsonValue
        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** Whether the batch has ended: nothing about it changes any more. */
        public boolean terminal() {
            return this == FAILED || this == COMPLETED || this == EXPIRED || this == CANCELLED;
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record RequestCounts(long total, long completed, long failed) {
    }

    /** One reason a batch failed validation; {@code line} is the input line at fault, if one is. */
    public record Error(String code, String message, String param, Long line) {
    }

    public record Errors(String object, List<Error> data) {
        static Errors of(List<Error> data) {
            return new Errors("list", List.copyOf(data));
        }
    }

    String id;
    String object = "batch";
    String endpoint;
    Errors errors;
    String inputFileId;
    String completionWindow;
    Status status;
    String outputFileId;
    String errorFileId;
    long createdAt;
    Long inProgressAt;
    Long expiresAt;
    Long finalizingAt;
    Long completedAt;
    Long failedAt;
    Long expiredAt;
    Long cancellingAt;
    Long cancelledAt;
    RequestCounts requestCounts = new RequestCounts(0, 0, 0);
    Map<String, String> metadata;

    BatchObject copy() {
        BatchObject copy = new BatchObject();
        copy.id = id;
        copy.endpoint = endpoint;
        copy.errors = errors;
        copy.inputFileId = inputFileId;
        copy.completionWindow = completionWindow;
        copy.status = status;
        copy.outputFileId = outputFileId;
        copy.errorFileId = errorFileId;
        copy.createdAt = createdAt;
        copy.inProgressAt = inProgressAt;
        copy.expiresAt = expiresAt;
        copy.finalizingAt = finalizingAt;
        copy.completedAt = completedAt;
        copy.failedAt = failedAt;
        copy.expiredAt = expiredAt;
        copy.cancellingAt = cancellingAt;
        copy.cancelledAt = cancelledAt;
        copy.requestCounts = requestCounts;
        copy.metadata = metadata;
        return copy;
    }

    public String id() {
        return id;
    }

    public Status status() {
        return status;
    }

    public RequestCounts requestCounts() {
        return requestCounts;
    }

    public String outputFileId() {
        return outputFileId;
    }

    public String errorFileId() {
        return errorFileId;
    }

    public Errors errors() {
        return errors;
    }
}
