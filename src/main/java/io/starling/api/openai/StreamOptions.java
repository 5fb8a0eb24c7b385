package io.starling.api.openai;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/** {@code stream_options}: {@code include_usage} adds a last chunk with the token counts. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record StreamOptions(Boolean includeUsage) {
}
