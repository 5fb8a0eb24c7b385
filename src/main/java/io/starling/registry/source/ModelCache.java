package io.starling.registry.source;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Turns a {@link ModelSource} into a local, verified GGUF file.
 *
 * <p>Downloads land in the cache directory as {@code <sha256>.gguf}. They are written to {@code <sha256>.part},
 * hashed while they stream in, and renamed into place only when the digest matches, so a crash or a wrong checksum
 * never leaves a file that looks valid; a wrong checksum deletes the partial file, an interrupted download keeps it
 * and the next attempt resumes it with an HTTP Range request. Concurrent resolves of one model in this JVM share
 * one download; across processes (pods sharing a cache volume) a lock file per model, {@code .locks/<sha256>.lock},
 * makes the second wait for the first.
 *
 * <p>Local files are used in place. One with a configured sha256 is hashed once; the result is recorded (see
 * {@link VerifiedFiles}) and trusted again until the file's size or modification time changes.
 */
public final class ModelCache {

    /** The environment variable naming the cache directory. */
    public static final String CACHE_ENV = "STARLING_MODEL_CACHE";

    private static final System.Logger LOG = System.getLogger(ModelCache.class.getName());
    private static final Pattern MODEL_FILE = Pattern.compile("[0-9a-f]{64}\\.gguf");

    /**
     * Downloads running in this JVM, by target file. Static because the file lock that keeps processes apart
     * belongs to the whole JVM: two caches on one directory in one process must share flights too.
     */
    private static final Map<Path, CompletableFuture<Path>> IN_FLIGHT = new ConcurrentHashMap<>();

    private final Path dir;
    /** Supplies the client at the first download: the default one's TLS set-up loads ~780 classes and the trust store. */
    private final Supplier<HttpClient> http;
    private final FileHasher hasher = new FileHasher();
    private final VerifiedFiles verifiedFiles;
    private final Duration stallTimeout;

    /** A cache in {@code dir} (created when first written) that downloads with a default HTTP client. */
    public ModelCache(Path dir) {
        this(dir, () -> DefaultClient.INSTANCE, PartialDownload.STALL_TIMEOUT);
    }

    /** A cache in {@code dir} that downloads with {@code http} (which should follow redirects). */
    public ModelCache(Path dir, HttpClient http) {
        this(dir, () -> http, PartialDownload.STALL_TIMEOUT);
    }

    ModelCache(Path dir, HttpClient http, Duration stallTimeout) {
        this(dir, () -> http, stallTimeout);
    }

    private ModelCache(Path dir, Supplier<HttpClient> http, Duration stallTimeout) {
        this.dir = dir.toAbsolutePath().normalize();
        this.http = http;
        this.stallTimeout = stallTimeout;
        this.verifiedFiles = new VerifiedFiles(this.dir.resolve("verified"));
    }

    /** {@code $STARLING_MODEL_CACHE}, or {@code ~/.starling/models} when it is unset or blank. */
    public static Path defaultDir() {
        return defaultDir(System.getenv(CACHE_ENV), System.getProperty("user.home"));
    }

    static Path defaultDir(String configured, String userHome) {
        return configured != null && !configured.isBlank() ? Path.of(configured.strip())
                : Path.of(userHome, ".starling", "models");
    }

    public Path dir() {
        return dir;
    }

    /**
     * The local file for {@code source}, verified against its sha256 if it has one: a local file as it is, a URL
     * from the cache, downloaded first if needed. Blocks until done.
     *
     * @throws ChecksumMismatchException the content has another digest than the configured one
     * @throws IncompleteDownloadException a download stopped early; calling again resumes it
     * @throws NoSuchFileException a local source does not exist
     * @throws IOException the server refused (status and URL in the message), the network or the disk failed
     */
    public Path resolve(ModelSource source, DownloadListener listener) throws IOException {
        return switch (source) {
            case ModelSource.LocalFile local -> resolveLocal(local, listener);
            case ModelSource.Download download -> resolveDownload(download, listener);
        };
    }

    /** The models this cache holds, by sha256. */
    public List<CachedModel> list() throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> MODEL_FILE.matcher(f.getFileName().toString()).matches() && Files.isRegularFile(f))
                    .map(this::describe)
                    .sorted(Comparator.comparing(m -> m.sha256().hex()))
                    .toList();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** How many files this cache has hashed from disk (local verifications and resumed downloads); for tests. */
    int filesHashed() {
        return hasher.filesHashed();
    }

    private Path resolveLocal(ModelSource.LocalFile local, DownloadListener listener) throws IOException {
        Path file = local.path().toAbsolutePath();
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no such model file");
        }
        if (local.sha256().isEmpty()) {
            return file;
        }
        Sha256 expected = local.sha256().get();
        Path real = file.toRealPath();
        // Attributes before hashing: should the file change meanwhile, the record no longer matches it and it is hashed again.
        BasicFileAttributes attributes = Files.readAttributes(real, BasicFileAttributes.class);
        if (verifiedFiles.isVerified(real, attributes, expected)) {
            return file;
        }
        Sha256 actual = hasher.hash(real, attributes.size(), listener);
        if (!actual.equals(expected)) {
            verifiedFiles.forget(real);
            throw new ChecksumMismatchException(file.toString(), expected, actual);
        }
        try {
            verifiedFiles.remember(real, attributes, expected);
        } catch (IOException e) {
            // The file is verified and usable; a cache that cannot be written (a read-only volume) only costs a re-hash.
            LOG.log(System.Logger.Level.WARNING, "verified {0} but cannot record it in {1} ({2}): it will be hashed again next time",
                    file, dir, e.toString());
        }
        return file;
    }

    private Path resolveDownload(ModelSource.Download download, DownloadListener listener) throws IOException {
        Path target = dir.resolve(download.expected().hex() + ".gguf");
        if (isRecorded(target, download.expected())) {
            return target;
        }
        CompletableFuture<Path> flight = new CompletableFuture<>();
        CompletableFuture<Path> running = IN_FLIGHT.putIfAbsent(target, flight);
        if (running != null) {
            return join(running);
        }
        try {
            Path path = downloadLocked(download, target, listener);
            flight.complete(path);
            return path;
        } catch (IOException | RuntimeException | Error e) {
            flight.completeExceptionally(e);
            throw e;
        } finally {
            IN_FLIGHT.remove(target, flight);
        }
    }

    private static Path join(CompletableFuture<Path> running) throws IOException {
        try {
            return running.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a download");
        } catch (ExecutionException e) {
            // The same failure the downloading call saw, so every caller can tell a wrong checksum from a network error.
            switch (e.getCause()) {
                case IOException io -> throw io;
                case RuntimeException r -> throw r;
                case Error error -> throw error;
                default -> throw new IOException(e.getCause());
            }
        }
    }

    private Path downloadLocked(ModelSource.Download download, Path target, DownloadListener listener) throws IOException {
        Sha256 sha256 = download.expected();
        Files.createDirectories(dir);
        try (CacheLock lock = CacheLock.acquire(dir.resolve(".locks").resolve(sha256.hex() + ".lock"), listener)) {
            // Another process may have finished it while this one waited for the lock.
            if (isRecorded(target, sha256) || adoptUnrecorded(target, download, listener)) {
                return target;
            }
            Path part = dir.resolve(sha256.hex() + ".part");
            long size = new PartialDownload(http.get(), hasher, download.uri(), sha256, part, listener, stallTimeout).complete();
            // Sidecar first: a model file under its final name always has its record.
            CacheEntryFile.write(CacheEntryFile.of(target, sha256), sha256, download.location(), size, Instant.now());
            AtomicFiles.move(part, target);
            listener.finished(target, size);
            return target;
        }
    }

    /** A model file whose sidecar records its size was renamed into place by this cache after verification. */
    private static boolean isRecorded(Path target, Sha256 sha256) {
        if (!Files.isRegularFile(target)) {
            return false;
        }
        return CacheEntryFile.read(CacheEntryFile.of(target, sha256))
                .filter(entry -> sha256.hex().equals(entry.sha256()) && entry.size() == sizeOrMinusOne(target))
                .isPresent();
    }

    /**
     * A model file without a matching record (copied in by hand, or damaged) is hashed: kept and recorded when
     * right, deleted (to be downloaded again) when not.
     */
    private boolean adoptUnrecorded(Path target, ModelSource.Download download, DownloadListener listener) throws IOException {
        if (!Files.isRegularFile(target)) {
            return false;
        }
        long size = Files.size(target);
        if (hasher.hash(target, size, listener).equals(download.expected())) {
            CacheEntryFile.write(CacheEntryFile.of(target, download.expected()), download.expected(), null, size,
                    Files.getLastModifiedTime(target).toInstant());
            return true;
        }
        Files.delete(target);
        return false;
    }

    private CachedModel describe(Path file) {
        String name = file.getFileName().toString();
        Sha256 sha256 = new Sha256(name.substring(0, name.length() - ".gguf".length()));
        Optional<CacheEntryFile.Entry> entry = CacheEntryFile.read(CacheEntryFile.of(file, sha256));
        return new CachedModel(sha256, file, sizeOrMinusOne(file),
                entry.map(CacheEntryFile.Entry::url),
                entry.map(CacheEntryFile.Entry::downloadedAt).flatMap(ModelCache::instant));
    }

    private static Optional<Instant> instant(String text) {
        try {
            return Optional.of(Instant.parse(text));
        } catch (DateTimeParseException damaged) {
            return Optional.empty();
        }
    }

    private static long sizeOrMinusOne(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return -1;
        }
    }

    /** One per JVM, made when first needed: every HttpClient runs its own selector thread and connection pool. */
    private static final class DefaultClient {
        static final HttpClient INSTANCE = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(30))
                .build();
    }
}
