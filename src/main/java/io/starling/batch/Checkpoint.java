package io.starling.batch;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;

/**
 * The output file of a batch job and its progress journal ({@code OUTPUT.progress}), which together survive a
 * {@code kill -9} at any instant.
 *
 * <p>Results are appended to the output as they complete, in completion order; after each one the request's
 * number is appended to the journal, so journal entry {@code k} names output line {@code k}. Both are written with
 * one {@code write} each and no buffering in the process, so whatever a killed process wrote is in the files (only
 * a crash of the machine itself can lose the page cache). On restart the journal's first line must name the same
 * job (input, shard, model); a torn last line of either file is cut off, and an output line whose journal entry
 * never got written is dropped (its request simply runs again), so both end at the same count.
 *
 * <p>When every request has a line, {@link #finish} writes the lines in request order to {@code OUTPUT.tmp},
 * notes {@code done} in the journal, renames the copy over the output (atomically) and deletes the journal. A crash
 * in between is completed on the next start: with {@code done} noted, only the rename and delete are redone.
 */
final class Checkpoint implements AutoCloseable {

    private static final String DONE = "done";

    private final Path output;
    private final Path journal;
    private final Path temp;
    private final BitSet done = new BitSet();
    /** The request number of each output line, in file order. */
    private final List<Integer> lines = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private FileChannel out;
    private FileChannel log;
    private boolean finished;

    private Checkpoint(Path output) {
        this.output = output;
        this.journal = output.resolveSibling(output.getFileName() + ".progress");
        this.temp = output.resolveSibling(output.getFileName() + ".tmp");
    }

    /**
     * The checkpoint of the job {@code header} describes, writing {@code output}: a fresh one, the interrupted one
     * to continue, or a finished one when {@code output} is already this job's complete output of
     * {@code expectedLines} lines.
     */
    static Checkpoint open(Path output, String header, long expectedLines) throws IOException {
        if (header.contains("\n")) {
            throw new IllegalArgumentException("a journal header is one line");
        }
        Checkpoint checkpoint = new Checkpoint(output);
        checkpoint.recover(header, expectedLines);
        return checkpoint;
    }

    private void recover(String header, long expectedLines) throws IOException {
        if (!Files.exists(journal)) {
            if (Files.exists(output)) {
                long[] ends = lineEnds(output);
                if (ends.length == expectedLines && Files.size(output) == lastEnd(ends)) {
                    finished = true;
                    notes.add(output + " is already complete (" + ends.length + " lines)");
                    return;
                }
                throw new IllegalStateException(output + " exists without its progress journal " + journal
                        + ", so it is not an interrupted run of this job (" + ends.length + " lines, "
                        + expectedLines + " expected): remove it or choose another output");
            }
            start(header);
            return;
        }
        byte[] bytes = Files.readAllBytes(journal);
        List<String> entries = completeLines(bytes);
        if (entries.isEmpty()) {
            // killed while writing the header: no result can have been written yet
            notes.add("the journal " + journal + " was cut short before its first entry: starting over");
            start(header);
            return;
        }
        if (!entries.getFirst().equals(header)) {
            throw new IllegalStateException(journal + " belongs to another job (" + entries.getFirst() + "; this one is "
                    + header + "): remove " + output + " and " + journal + " to start over");
        }
        entries = entries.subList(1, entries.size());
        if (!entries.isEmpty() && entries.getLast().equals(DONE)) {
            if (Files.exists(temp)) {
                Files.move(temp, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.delete(journal);
            finished = true;
            notes.add("completed the interrupted final rewrite of " + output);
            return;
        }
        Files.deleteIfExists(temp);
        long[] ends = lineEnds(output);
        long outputBytes = Files.size(output);
        int kept = Math.min(entries.size(), ends.length);
        if (outputBytes > lastEnd(ends)) {
            notes.add("cut a torn last line (" + (outputBytes - lastEnd(ends)) + " bytes) off " + output);
        }
        if (ends.length > kept) {
            notes.add("dropped " + (ends.length - kept) + " result line(s) the journal had not recorded: they run again");
        }
        long journalBytes = utf8Length(header) + 1L;
        for (int k = 0; k < kept; k++) {
            int request = parseEntry(entries.get(k));
            if (done.get(request)) {
                throw new IllegalStateException(journal + " names request " + request + " twice: it is corrupt");
            }
            done.set(request);
            lines.add(request);
            journalBytes += entries.get(k).length() + 1L;
        }
        if (bytes.length > journalBytes) {
            notes.add("cut " + (bytes.length - journalBytes) + " unmatched byte(s) off the journal");
        }
        try (FileChannel o = FileChannel.open(output, StandardOpenOption.WRITE);
             FileChannel j = FileChannel.open(journal, StandardOpenOption.WRITE)) {
            o.truncate(kept == 0 ? 0 : ends[kept - 1]);
            j.truncate(journalBytes);
        }
        out = FileChannel.open(output, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        log = FileChannel.open(journal, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        if (kept > 0) {
            notes.add("resuming: " + kept + " result(s) already in " + output);
        }
    }

    private void start(String header) throws IOException {
        Files.deleteIfExists(temp);
        Path parent = output.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        // the journal first: an output without one is never taken for an interrupted run
        Files.writeString(journal, header + "\n");
        Files.write(output, new byte[0]);
        out = FileChannel.open(output, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        log = FileChannel.open(journal, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    /** Whether {@code output} has a progress journal: a run was interrupted before {@link #finish} completed. */
    static boolean interrupted(Path output) {
        return Files.exists(output.resolveSibling(output.getFileName() + ".progress"));
    }

    /** Whether the output is this job's complete, ordered output already: nothing is left to run. */
    boolean finished() {
        return finished;
    }

    /** Whether request {@code request} has its result line. */
    synchronized boolean done(long request) {
        return done.get(Math.toIntExact(request));
    }

    synchronized int doneCount() {
        return lines.size();
    }

    /** What recovery found and did, for the log. */
    List<String> notes() {
        return List.copyOf(notes);
    }

    /** Appends request {@code request}'s result line ({@code json} has no newline), then its journal entry. */
    synchronized void append(long request, String json) throws IOException {
        if (out == null) {
            throw new IllegalStateException("the checkpoint of " + output + " is closed");
        }
        int number = Math.toIntExact(request);
        if (finished || done.get(number)) {
            throw new IllegalStateException("request " + request + " already has its result line");
        }
        write(out, json + "\n");
        write(log, number + "\n");
        done.set(number);
        lines.add(number);
    }

    /** Rewrites the output in request order, atomically, and removes the journal. */
    synchronized void finish() throws IOException {
        if (finished) {
            return;
        }
        closeChannels();
        long[] ends = lineEnds(output);
        if (ends.length != lines.size()) {
            throw new IllegalStateException(output + " has " + ends.length + " lines but the journal " + lines.size());
        }
        Integer[] order = new Integer[ends.length];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.comparingInt(lines::get));
        try (FileChannel source = FileChannel.open(output, StandardOpenOption.READ);
             FileChannel target = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     StandardOpenOption.TRUNCATE_EXISTING)) {
            for (int line : order) {
                long start = line == 0 ? 0 : ends[line - 1];
                long length = ends[line] - start;
                for (long copied = 0; copied < length; ) {
                    copied += source.transferTo(start + copied, length - copied, target);
                }
            }
            target.force(true);
        }
        try (FileChannel j = FileChannel.open(journal, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            write(j, DONE + "\n");
            j.force(true);
        }
        Files.move(temp, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.delete(journal);
        finished = true;
    }

    @Override
    public synchronized void close() throws IOException {
        closeChannels();
    }

    private void closeChannels() throws IOException {
        if (out != null) {
            out.close();
            out = null;
        }
        if (log != null) {
            log.close();
            log = null;
        }
    }

    private static void write(FileChannel channel, String text) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /** The byte offset just past each newline of {@code file}: the end of each complete line. */
    static long[] lineEnds(Path file) throws IOException {
        long[] ends = new long[1024];
        int count = 0;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            long position = 0;
            int b;
            while ((b = in.read()) >= 0) {
                position++;
                if (b == '\n') {
                    if (count == ends.length) {
                        ends = Arrays.copyOf(ends, count * 2);
                    }
                    ends[count++] = position;
                }
            }
        }
        return Arrays.copyOf(ends, count);
    }

    private static long lastEnd(long[] ends) {
        return ends.length == 0 ? 0 : ends[ends.length - 1];
    }

    /** The newline-terminated lines of {@code bytes}; a torn last line without its newline is left out. */
    private static List<String> completeLines(byte[] bytes) {
        List<String> result = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                result.add(new String(bytes, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        return result;
    }

    private static long utf8Length(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    private int parseEntry(String entry) {
        try {
            int request = Integer.parseInt(entry);
            if (request >= 0) {
                return request;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalStateException(journal + " has an entry that is no request number: '" + entry + "'");
    }
}
