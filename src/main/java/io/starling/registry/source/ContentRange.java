package io.starling.registry.source;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code Content-Range} header of a 206 ({@code bytes 100-199/1000}, total may be {@code *}) or a 416
 * ({@code bytes * /1000}, without the blank) answer (RFC 9110 section 14.4). {@code first} is -1 for the
 * unsatisfied form, {@code total} -1 when the server does not know it.
 */
record ContentRange(long first, long last, long total) {

    private static final Pattern SATISFIED = Pattern.compile("bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)", Pattern.CASE_INSENSITIVE);
    private static final Pattern UNSATISFIED = Pattern.compile("bytes\\s+\\*/(\\d+)", Pattern.CASE_INSENSITIVE);

    static Optional<ContentRange> parse(String header) {
        if (header == null) {
            return Optional.empty();
        }
        String value = header.strip();
        try {
            Matcher m = SATISFIED.matcher(value);
            if (m.matches()) {
                long first = Long.parseLong(m.group(1));
                long last = Long.parseLong(m.group(2));
                long total = "*".equals(m.group(3)) ? -1 : Long.parseLong(m.group(3));
                boolean valid = first <= last && (total < 0 || last < total);
                return valid ? Optional.of(new ContentRange(first, last, total)) : Optional.empty();
            }
            m = UNSATISFIED.matcher(value);
            if (m.matches()) {
                return Optional.of(new ContentRange(-1, -1, Long.parseLong(m.group(1))));
            }
        } catch (NumberFormatException tooLong) {
            // digits beyond a long: as unusable as any other malformed header
        }
        return Optional.empty();
    }
}
