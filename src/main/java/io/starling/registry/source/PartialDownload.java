package io.starling.registry.source;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Brings a {@code .part} file to the whole body of a URL and checks its sha256, resuming with an HTTP
 * {@code Range} request from whatever an earlier attempt left. The digest is computed while the bytes stream
 * past (the bytes already there are hashed once before resuming), so the file is never read back afterwards.
 * The caller holds the cache lock for this model.
 */
final class PartialDownload {

    /** How long the server may take to send the response headers (the body may take as long as it needs). */
    static final Duration HEADERS_TIMEOUT = Duration.ofSeconds(60);
    /** How long the body may send nothing before the download is given up as incomplete (and resumable). */
    static final Duration STALL_TIMEOUT = Duration.ofSeconds(60);
    private static final int CHUNK = 1 << 16;

    private final HttpClient http;
    private final FileHasher hasher;
    private final URI uri;
    private final Sha256 expected;
    private final Path part;
    private final DownloadListener listener;
    private final Duration stallTimeout;

    PartialDownload(HttpClient http, FileHasher hasher, URI uri, Sha256 expected, Path part, DownloadListener listener,
                    Duration stallTimeout) {
        this.http = http;
        this.stallTimeout = stallTimeout;
        this.hasher = hasher;
        this.uri = uri;
        this.expected = expected;
        this.part = part;
        this.listener = listener;
    }

    /**
     * Completes and verifies the partial file and returns its size.
     *
     * @throws ChecksumMismatchException the whole body has another digest (the partial file is deleted)
     * @throws IncompleteDownloadException the body stopped early (the partial file is kept for a resume)
     * @throws IOException the server refused (status and URL in the message) or could not be reached
     */
    long complete() throws IOException {
        MessageDigest digest = Sha256.newDigest();
        long have = Files.exists(part) ? Files.size(part) : 0;
        if (have > 0) {
            hasher.update(digest, part, have, listener);
        }
        HttpResponse<InputStream> response = send(have);
        if (have > 0 && response.statusCode() == 416) {
            long total = contentRange(response).map(ContentRange::total).orElse(-1L);
            response.body().close();
            if (total == have) {
                // An earlier attempt got every byte but stopped before the rename: nothing is left to fetch.
                return verified(digest, have);
            }
            have = restart(digest);
            response = send(have);
        } else if (have > 0 && response.statusCode() == 206
                && contentRange(response).map(ContentRange::first).orElse(-1L) != have) {
            // A 206 for other bytes than those asked for cannot be appended: fetch the whole file instead.
            response.body().close();
            have = restart(digest);
            response = send(have);
        }
        int status = response.statusCode();
        if (status == 200 && have > 0) {
            // The server ignored the Range header and sends the whole file: take it from the start.
            have = restart(digest);
        } else if (status != 200 && status != 206) {
            response.body().close();
            throw new IOException("HTTP " + status + " from " + uri + (status == 416 ? " (range not satisfiable)" : ""));
        }
        long total = contentLength(response).orElse(-1L);
        if (status == 206) {
            ContentRange range = contentRange(response).orElse(null);
            if (range == null || range.first() != have) {
                response.body().close();
                throw new IOException("HTTP 206 from " + uri + " with Content-Range "
                        + response.headers().firstValue("Content-Range").orElse("missing") + ", not from byte " + have);
            }
            total = range.total() >= 0 ? range.total() : range.last() + 1;
        }
        listener.started(uri, have, total);
        have = append(response, digest, have, total);
        return verified(digest, have);
    }

    private HttpResponse<InputStream> send(long from) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(HEADERS_TIMEOUT).GET();
        if (from > 0) {
            request.header("Range", "bytes=" + from + "-");
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while requesting " + uri);
        } catch (IOException e) {
            throw new IOException("cannot download " + uri + ": " + describe(e), e);
        }
    }

    private long restart(MessageDigest digest) throws IOException {
        digest.reset();
        try (FileChannel channel = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            channel.truncate(0);
        }
        return 0;
    }

    /** Appends the body to the partial file from byte {@code have}; a body that stops early keeps what came. */
    private long append(HttpResponse<InputStream> response, MessageDigest digest, long have, long total) throws IOException {
        try (InputStream body = response.body();
             StallGuard guard = new StallGuard(body, stallTimeout);
             FileChannel out = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            out.truncate(have);
            out.position(have);
            byte[] chunk = new byte[CHUNK];
            try {
                for (int n; (n = body.read(chunk)) >= 0; ) {
                    guard.alive();
                    ByteBuffer buffer = ByteBuffer.wrap(chunk, 0, n);
                    while (buffer.hasRemaining()) {
                        out.write(buffer);
                    }
                    digest.update(chunk, 0, n);
                    have += n;
                    listener.progress(have, total);
                }
            } catch (IOException e) {
                throw incomplete(have, total, guard.stalled()
                        ? new IOException("no data for " + stallTimeout.toMillis() + " ms", e) : e);
            }
            if (total >= 0 && have < total) {
                throw incomplete(have, total, null);
            }
            // The rename that follows publishes the file: its bytes must be on disk first.
            out.force(true);
            return have;
        }
    }

    private IncompleteDownloadException incomplete(long have, long total, IOException cause) {
        return new IncompleteDownloadException("download of " + uri + " stopped after " + have
                + (total >= 0 ? " of " + total : "") + " bytes" + (cause != null ? " (" + describe(cause) + ")" : "")
                + "; the partial file is kept and the next attempt resumes it", have, cause);
    }

    private long verified(MessageDigest digest, long size) throws IOException {
        Sha256 actual = Sha256.of(digest);
        if (!actual.equals(expected)) {
            Files.deleteIfExists(part);
            throw new ChecksumMismatchException(uri.toString(), expected, actual);
        }
        return size;
    }

    private static Optional<ContentRange> contentRange(HttpResponse<?> response) {
        return response.headers().firstValue("Content-Range").flatMap(ContentRange::parse);
    }

    private static OptionalLong contentLength(HttpResponse<?> response) {
        OptionalLong length = response.headers().firstValueAsLong("Content-Length");
        return length.isPresent() && length.getAsLong() >= 0 ? length : OptionalLong.empty();
    }

    private static String describe(IOException e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
