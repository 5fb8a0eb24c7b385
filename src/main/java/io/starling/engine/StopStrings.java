package io.starling.engine;

import java.util.List;

/**
 * Cuts generated text at the first stop string. Text that could still turn into a stop string (a suffix that is a
 * prefix of one) is held back, so a client never sees the beginning of a stop string that is then cut. One per
 * sequence; not thread-safe.
 */
final class StopStrings {

    private final List<String> stops;
    private final StringBuilder pending = new StringBuilder();
    private boolean stopped;

    StopStrings(List<String> stops) {
        this.stops = stops.stream().filter(s -> !s.isEmpty()).toList();
    }

    /** Adds newly decoded text; returns the part that is safe to emit (before a stop string once one is found). */
    String accept(String text) {
        if (stopped) {
            return "";
        }
        pending.append(text);
        if (stops.isEmpty()) {
            return drain(pending.length());
        }
        int cut = -1;
        for (String stop : stops) {
            int at = pending.indexOf(stop);
            if (at >= 0 && (cut < 0 || at < cut)) {
                cut = at;
            }
        }
        if (cut >= 0) {
            stopped = true;
            String out = pending.substring(0, cut);
            pending.setLength(0);
            return out;
        }
        return drain(pending.length() - heldBack());
    }

    /** The end of the text: whatever was held back is released (no stop string can complete any more). */
    String finish() {
        return stopped ? "" : drain(pending.length());
    }

    boolean stopped() {
        return stopped;
    }

    /** The longest suffix of the pending text that is a proper prefix of a stop string. */
    private int heldBack() {
        int hold = 0;
        String text = pending.toString();
        for (String stop : stops) {
            for (int k = Math.min(stop.length() - 1, text.length()); k > hold; k--) {
                if (text.regionMatches(text.length() - k, stop, 0, k)) {
                    hold = k;
                    break;
                }
            }
        }
        return hold;
    }

    private String drain(int length) {
        String out = pending.substring(0, length);
        pending.delete(0, length);
        return out;
    }
}
