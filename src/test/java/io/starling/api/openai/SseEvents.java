package io.starling.api.openai;

import java.util.ArrayList;
import java.util.List;

/** The {@code data:} payloads of a server-sent-events body, in order. */
public final class SseEvents {

    private SseEvents() {
    }

    public static List<String> data(String body) {
        List<String> events = new ArrayList<>();
        for (String block : body.split("\n\n")) {
            if (block.isBlank()) {
                continue;
            }
            if (!block.startsWith("data: ")) {
                throw new AssertionError("not an SSE data event: " + block);
            }
            events.add(block.substring("data: ".length()));
        }
        return events;
    }
}
