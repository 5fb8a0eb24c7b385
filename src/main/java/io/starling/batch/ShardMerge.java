package io.starling.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Joins the finished outputs of shards {@code 0/N … N-1/N} into the output an unsharded run would have written:
 * shard {@code i}'s line {@code j} is request {@code j * N + i}, so taking one line from each shard in turn restores
 * the input order. Shard outputs must be finished (no progress journal beside them) and given in shard order; their
 * line counts must be what sharding one input gives (shard {@code i} holds {@code ceil((T - i) / N)} lines), which
 * catches a misordered shard and most missing ones. Given the input file too, every merged line's custom_id is
 * checked against its input line's, which catches any mix-up. The merged file is written to a temporary file and
 * renamed into place.
 */
public final class ShardMerge {

    private ShardMerge() {
    }

    /**
     * Merges {@code shards} (in shard order) into {@code output}, checked against {@code input} when given;
     * returns the number of lines.
     */
    public static long merge(List<Path> shards, Path output, Optional<Path> input) throws IOException {
        if (shards.isEmpty()) {
            throw new IllegalArgumentException("name the shard outputs to merge, in shard order");
        }
        long[] counts = new long[shards.size()];
        for (int i = 0; i < shards.size(); i++) {
            Path shard = shards.get(i);
            if (!Files.isRegularFile(shard)) {
                throw new IllegalArgumentException("no shard output " + shard);
            }
            Path journal = shard.resolveSibling(shard.getFileName() + ".progress");
            if (Files.exists(journal)) {
                throw new IllegalStateException(shard + " is unfinished (" + journal
                        + " exists): run its shard again to complete it first");
            }
            long[] ends = Checkpoint.lineEnds(shard);
            if (Files.size(shard) != (ends.length == 0 ? 0 : ends[ends.length - 1])) {
                throw new IllegalStateException(shard + " ends in a torn line: it is not a finished output");
            }
            counts[i] = ends.length;
        }
        long total = 0;
        for (long count : counts) {
            total += count;
        }
        int n = shards.size();
        for (int i = 0; i < n; i++) {
            long expected = new Shard(i, n).sizeOf(total);
            if (counts[i] != expected) {
                throw new IllegalStateException("shard " + i + "/" + n + " (" + shards.get(i) + ") has " + counts[i]
                        + " lines, but sharding " + total + " requests " + n + " ways gives it " + expected
                        + ": a shard is missing, unfinished or out of order");
            }
        }
        Path temp = output.resolveSibling(output.getFileName() + ".tmp");
        List<BufferedReader> readers = new ArrayList<>(n);
        try (BufferedWriter out = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
            for (Path shard : shards) {
                readers.add(Files.newBufferedReader(shard, StandardCharsets.UTF_8));
            }
            for (long request = 0; request < total; request++) {
                String line = readers.get((int) (request % n)).readLine();
                out.write(line);
                out.write('\n');
            }
        } finally {
            for (BufferedReader reader : readers) {
                reader.close();
            }
        }
        if (input.isPresent()) {
            try {
                checkAgainst(input.get(), temp, total);
            } catch (RuntimeException e) {
                Files.delete(temp);
                throw e;
            }
        }
        Files.move(temp, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return total;
    }

    /** Every merged line answers its input line: the same custom_id (none for a line that has none), in order. */
    private static void checkAgainst(Path input, Path merged, long total) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        long request = 0;
        try (JsonLines lines = new JsonLines(input); BufferedReader results = Files.newBufferedReader(merged)) {
            for (JsonLines.Line line = lines.next(); line != null; line = lines.next(), request++) {
                String result = results.readLine();
                if (result == null) {
                    throw new IllegalStateException("the input has more requests than the " + total
                            + " lines of the shards: a shard is missing");
                }
                String expected = customId(mapper, line.bytes());
                String actual = mapper.readTree(result).path("custom_id").textValue();
                if (!Objects.equals(expected, actual)) {
                    throw new IllegalStateException("merged line " + (request + 1) + " answers custom_id '" + actual
                            + "' but input line " + line.number() + " has '" + expected
                            + "': the shards are out of order or not of this input");
                }
            }
        }
        if (request != total) {
            throw new IllegalStateException("the input has " + request + " requests but the shards " + total
                    + " lines: they are not of this input");
        }
    }

    private static String customId(ObjectMapper mapper, byte[] line) {
        try {
            JsonNode id = mapper.readTree(line).path("custom_id");
            return id.isTextual() && !id.textValue().isEmpty() ? id.textValue() : null;
        } catch (IOException e) {
            return null; // not JSON: its error line has no custom_id either
        }
    }
}
