package io.starling.batch;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.function.Function;

/** OpenAI's cursor page, {@code {"object":"list","data","first_id","last_id","has_more"}}. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ListPage<T>(String object, List<T> data, String firstId, String lastId, boolean hasMore) {

    /**
     * The page of {@code all} (already in the list's order) that starts after the item whose id is {@code after}
     * (from the start when null) and holds at most {@code limit} items.
     */
    public static <T> ListPage<T> of(List<T> all, Function<T, String> id, String after, int limit) {
        int start = 0;
        if (after != null) {
            for (int i = 0; i < all.size(); i++) {
                if (id.apply(all.get(i)).equals(after)) {
                    start = i + 1;
                    break;
                }
            }
        }
        int end = (int) Math.min(all.size(), (long) start + limit);
        List<T> data = List.copyOf(all.subList(Math.min(start, end), end));
        return new ListPage<>("list", data, data.isEmpty() ? null : id.apply(data.getFirst()),
                data.isEmpty() ? null : id.apply(data.getLast()), end < all.size());
    }
}
