package io.starling.cli;

import java.util.Locale;

/** Byte counts for people: 512 B, 12.0 KiB, 638.4 MiB, 4.1 GiB. */
final class ByteSize {

    private static final String[] UNITS = {"KiB", "MiB", "GiB", "TiB"};

    private ByteSize() {
    }

    static String format(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, UNITS[unit]);
    }
}
