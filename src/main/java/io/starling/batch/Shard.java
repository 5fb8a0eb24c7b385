package io.starling.batch;

/**
 * Which requests of the input one process takes: request {@code r} (counting non-blank lines from 0) belongs to
 * shard {@code r % count}. {@code I/N} on the command line; a Kubernetes Indexed Job passes
 * {@code $JOB_COMPLETION_INDEX} as {@code I}. Shard {@code i}'s output line {@code j} is request {@code j * N + i},
 * which is how {@link ShardMerge} restores the input order.
 */
public record Shard(int index, int count) {

    /** The whole input in one process. */
    public static final Shard ALL = new Shard(0, 1);

    public Shard {
        if (count < 1) {
            throw new IllegalArgumentException("--shard I/N: N must be >= 1, got " + count);
        }
        if (index < 0 || index >= count) {
            throw new IllegalArgumentException("--shard I/N: I must be in 0.." + (count - 1) + ", got " + index);
        }
    }

    /** {@code "I/N"}, as {@code --shard} takes it. */
    public static Shard parse(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("--shard must be I/N (e.g. 0/4), got '" + text + "'");
        }
        try {
            return new Shard(Integer.parseInt(text.substring(0, slash).trim()),
                    Integer.parseInt(text.substring(slash + 1).trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--shard must be I/N with whole numbers (e.g. 0/4), got '" + text + "'");
        }
    }

    public boolean takes(long request) {
        return request % count == index;
    }

    /** How many of {@code requests} requests are this shard's. */
    public long sizeOf(long requests) {
        return requests <= index ? 0 : (requests - index + count - 1) / count;
    }

    @Override
    public String toString() {
        return index + "/" + count;
    }
}
