package io.starling.batch;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The lines of a JSONL file as raw bytes, so a line that is not valid UTF-8 reaches the JSON parser (and becomes an
 * error line) instead of failing the whole read. Blank lines are skipped: they are no request. A final line without
 * a newline still counts.
 */
final class JsonLines implements AutoCloseable {

    /** One non-blank line: its number in the file (1-based, blank lines counted) and its bytes without the newline. */
    record Line(long number, byte[] bytes) {
    }

    private final InputStream in;
    private final ByteArrayOutputStream current = new ByteArrayOutputStream(1024);
    private long number;

    JsonLines(Path file) throws IOException {
        this.in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    }

    /** The next non-blank line, or null at the end of the file. */
    Line next() throws IOException {
        while (true) {
            current.reset();
            int b;
            while ((b = in.read()) >= 0 && b != '\n') {
                current.write(b);
            }
            if (b < 0 && current.size() == 0) {
                return null;
            }
            number++;
            byte[] bytes = current.toByteArray();
            if (!blank(bytes)) {
                return new Line(number, bytes);
            }
        }
    }

    private static boolean blank(byte[] bytes) {
        for (byte b : bytes) {
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
