package io.starling.registry.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCacheDownloadTest {

    static final byte[] MODEL = ModelBytes.random(300_000, 42);
    static final Sha256 MODEL_SHA = ModelBytes.sha256(MODEL);

    @TempDir
    Path cacheDir;

    @Test
    void downloadsVerifiesAndNamesTheFileBySha256() throws Exception {
        try (ModelFileServer server = new ModelFileServer(MODEL)) {
            ModelCache cache = new ModelCache(cacheDir);
            RecordingListener listener = new RecordingListener();
            Path path = cache.resolve(new ModelSource.Download(server.uri(), MODEL_SHA), listener);

            assertThat(path).isEqualTo(cacheDir.resolve(MODEL_SHA.hex() + ".gguf"));
            assertThat(Files.readAllBytes(path)).isEqualTo(MODEL);
            assertThat(listener.started).containsExactly("0/" + MODEL.length);
            assertThat(listener.lastProgress).isEqualTo(MODEL.length);
            assertThat(listener.finished).isEqualTo(path);
            assertThat(cacheDir.resolve(MODEL_SHA.hex() + ".part")).doesNotExist();

            assertThat(cache.list()).singleElement().satisfies(model -> {
                assertThat(model.sha256()).isEqualTo(MODEL_SHA);
                assertThat(model.size()).isEqualTo(MODEL.length);
                assertThat(model.url()).contains(server.uri().toString());
                assertThat(model.downloadedAt()).isPresent();
            });

            assertThat(cache.resolve(new ModelSource.Download(server.uri(), MODEL_SHA), DownloadListener.NONE))
                    .as("a cached model is returned without asking the server again").isEqualTo(path);
            assertThat(server.requests()).isEqualTo(1);
            assertThat(cache.filesHashed()).as("the digest is computed while downloading, never by reading back").isZero();
        }
    }

    @Test
    void wrongChecksumLeavesNothingThatLooksValid() throws Exception {
        Sha256 other = ModelBytes.sha256("another model".getBytes());
        try (ModelFileServer server = new ModelFileServer(MODEL)) {
            ModelCache cache = new ModelCache(cacheDir);
            assertThatThrownBy(() -> cache.resolve(new ModelSource.Download(server.uri(), other), DownloadListener.NONE))
                    .isInstanceOfSatisfying(ChecksumMismatchException.class, e -> {
                        assertThat(e.expected()).isEqualTo(other);
                        assertThat(e.actual()).isEqualTo(MODEL_SHA);
                        assertThat(e.getMessage()).contains(server.uri().toString(), other.hex(), MODEL_SHA.hex());
                    });
            assertThat(modelFiles()).as("no model, partial or sidecar file is left").isEmpty();
            assertThat(cache.list()).isEmpty();
        }
    }

    @Test
    void truncatedBodyKeepsThePartialFileAndTheNextResolveResumesWithRange() throws Exception {
        try (ModelFileServer server = new ModelFileServer(MODEL).cutNextBodyAfter(100_000)) {
            ModelCache cache = new ModelCache(cacheDir);
            ModelSource source = new ModelSource.Download(server.uri(), MODEL_SHA);
            long kept = incompleteDownload(cache, source, 100_000);

            RecordingListener listener = new RecordingListener();
            Path path = cache.resolve(source, listener);

            assertThat(server.ranges()).containsExactly("", "bytes=" + kept + "-");
            assertThat(listener.started).containsExactly(kept + "/" + MODEL.length);
            assertThat(Files.readAllBytes(path)).isEqualTo(MODEL);
            assertThat(cache.filesHashed()).as("the kept part is hashed once before resuming").isEqualTo(1);
            assertThat(cacheDir.resolve(MODEL_SHA.hex() + ".part")).doesNotExist();
        }
    }

    /**
     * Resolves a source whose body the server cuts after {@code cut} bytes and returns how many were kept. The
     * connection is dropped, so the last bytes the server wrote may be lost with it: between 1 and {@code cut}.
     */
    private long incompleteDownload(ModelCache cache, ModelSource source, int cut) throws IOException {
        Path part = cacheDir.resolve(MODEL_SHA.hex() + ".part");
        assertThatThrownBy(() -> cache.resolve(source, DownloadListener.NONE))
                .isInstanceOfSatisfying(IncompleteDownloadException.class, e -> {
                    assertThat(e.bytesKept()).isBetween(1L, (long) cut).isEqualTo(sizeOf(part));
                    assertThat(e.getMessage()).contains(source.location(), e.bytesKept() + " of " + MODEL.length,
                            "the next attempt resumes it");
                });
        assertThat(cacheDir.resolve(MODEL_SHA.hex() + ".gguf")).doesNotExist();
        return Files.size(part);
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aBodyThatStallsIsGivenUpAsIncompleteAndResumedLater() throws Exception {
        try (ModelFileServer server = new ModelFileServer(MODEL).stallNextBodyAfter(50_000)) {
            ModelCache cache = new ModelCache(cacheDir, HttpClient.newHttpClient(), Duration.ofMillis(300));
            ModelSource source = new ModelSource.Download(server.uri(), MODEL_SHA);
            assertThatThrownBy(() -> cache.resolve(source, DownloadListener.NONE))
                    .isInstanceOfSatisfying(IncompleteDownloadException.class, e -> {
                        assertThat(e.bytesKept()).isEqualTo(50_000);
                        assertThat(e.getMessage()).contains("stopped after 50000 of 300000 bytes (no data for 300 ms)");
                    });

            assertThat(Files.readAllBytes(cache.resolve(source, DownloadListener.NONE))).isEqualTo(MODEL);
            assertThat(server.ranges()).containsExactly("", "bytes=50000-");
        }
    }

    @Test
    void aServerThatIgnoresRangeMakesTheDownloadStartOver() throws Exception {
        try (ModelFileServer server = new ModelFileServer(MODEL).ignoringRange().cutNextBodyAfter(120_000)) {
            ModelCache cache = new ModelCache(cacheDir);
            ModelSource source = new ModelSource.Download(server.uri(), MODEL_SHA);
            long kept = incompleteDownload(cache, source, 120_000);

            RecordingListener listener = new RecordingListener();
            Path path = cache.resolve(source, listener);

            assertThat(server.ranges()).containsExactly("", "bytes=" + kept + "-");
            assertThat(listener.started).as("the 200 answer is taken from byte 0").containsExactly("0/" + MODEL.length);
            assertThat(Files.readAllBytes(path)).isEqualTo(MODEL);
        }
    }

    @Test
    void aCompletePartialFileIsFinishedWithoutDownloadingAgain() throws Exception {
        try (ModelFileServer server = new ModelFileServer(MODEL)) {
            Files.write(cacheDir.resolve(MODEL_SHA.hex() + ".part"), MODEL);
            Path path = new ModelCache(cacheDir).resolve(new ModelSource.Download(server.uri(), MODEL_SHA), DownloadListener.NONE);

            assertThat(server.ranges()).as("416 says the part already holds every byte").containsExactly("bytes=300000-");
            assertThat(Files.readAllBytes(path)).isEqualTo(MODEL);
        }
    }

    @Test
    void aPartialFileLongerThanTheModelIsDiscarded() throws Exception {
        try (ModelFileServer server = new ModelFileServer(MODEL)) {
            byte[] tooLong = new byte[MODEL.length + 10];
            Files.write(cacheDir.resolve(MODEL_SHA.hex() + ".part"), tooLong);
            Path path = new ModelCache(cacheDir).resolve(new ModelSource.Download(server.uri(), MODEL_SHA), DownloadListener.NONE);

            assertThat(server.ranges()).containsExactly("bytes=300010-", "");
            assertThat(Files.readAllBytes(path)).isEqualTo(MODEL);
        }
    }

    @Test
    void httpErrorsNameTheStatusAndUrlAndKeepThePartialFile() throws Exception {
        for (int status : new int[] {404, 500}) {
            try (ModelFileServer server = new ModelFileServer(MODEL).failingWith(status)) {
                Path part = Files.write(cacheDir.resolve(MODEL_SHA.hex() + ".part"), new byte[] {MODEL[0], MODEL[1]});
                ModelCache cache = new ModelCache(cacheDir);
                assertThatThrownBy(() -> cache.resolve(new ModelSource.Download(server.uri(), MODEL_SHA), DownloadListener.NONE))
                        .isExactlyInstanceOf(IOException.class)
                        .hasMessage("HTTP " + status + " from " + server.uri());
                assertThat(part).as("what arrived before may still be resumed").hasSize(2);
                assertThat(cache.list()).isEmpty();
            }
        }
    }

    @Test
    void anUnreachableServerIsAClearError() throws Exception {
        java.net.URI uri;
        try (ModelFileServer server = new ModelFileServer(MODEL)) {
            uri = server.uri();
        }
        assertThatThrownBy(() -> new ModelCache(cacheDir).resolve(new ModelSource.Download(uri, MODEL_SHA), DownloadListener.NONE))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("cannot download " + uri);
    }

    @Test
    void concurrentResolvesOfOneModelDownloadItOnce() throws Exception {
        int callers = 4;
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try (ModelFileServer server = new ModelFileServer(MODEL).holdingResponses()) {
            ModelSource source = new ModelSource.Download(server.uri(), MODEL_SHA);
            List<Thread> threads = new ArrayList<>();
            List<Future<Path>> results = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                // Each call on its own cache object: the flight is shared per file, not per instance.
                ModelCache cache = new ModelCache(cacheDir);
                results.add(pool.submit((Callable<Path>) () -> {
                    synchronized (threads) {
                        threads.add(Thread.currentThread());
                    }
                    return cache.resolve(source, DownloadListener.NONE);
                }));
            }
            server.awaitFirstRequest();
            awaitAllWaiting(threads, callers);
            server.release();

            for (Future<Path> result : results) {
                assertThat(result.get()).isEqualTo(cacheDir.resolve(MODEL_SHA.hex() + ".gguf"));
            }
            assertThat(server.requests()).isEqualTo(1);
            assertThat(Files.readAllBytes(cacheDir.resolve(MODEL_SHA.hex() + ".gguf"))).isEqualTo(MODEL);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Until every caller is blocked: one in the HTTP exchange, the others on the shared download. */
    private static void awaitAllWaiting(List<Thread> threads, int callers) throws InterruptedException {
        for (int polls = 0; polls < 1000; polls++) {
            synchronized (threads) {
                if (threads.size() == callers && threads.stream().allMatch(t -> t.getState() == Thread.State.WAITING
                        || t.getState() == Thread.State.TIMED_WAITING)) {
                    return;
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("the callers never all waited");
    }

    @Test
    void aModelFileWithoutARecordIsHashedOnceAndReplacedWhenWrong() throws Exception {
        try (ModelFileServer server = new ModelFileServer(MODEL)) {
            Path target = Files.write(cacheDir.resolve(MODEL_SHA.hex() + ".gguf"), "damaged".getBytes());
            ModelCache cache = new ModelCache(cacheDir);
            Path path = cache.resolve(new ModelSource.Download(server.uri(), MODEL_SHA), DownloadListener.NONE);

            assertThat(path).isEqualTo(target);
            assertThat(Files.readAllBytes(path)).isEqualTo(MODEL);
            assertThat(server.requests()).isEqualTo(1);

            Files.delete(cacheDir.resolve(MODEL_SHA.hex() + ".json"));
            assertThat(cache.resolve(new ModelSource.Download(server.uri(), MODEL_SHA), DownloadListener.NONE)).isEqualTo(target);
            assertThat(server.requests()).as("a right file put in by hand is adopted").isEqualTo(1);
            assertThat(cache.filesHashed()).isEqualTo(2);
            assertThat(cacheDir.resolve(MODEL_SHA.hex() + ".json")).exists();
        }
    }

    private List<Path> modelFiles() throws IOException {
        try (Stream<Path> files = Files.list(cacheDir)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }

    static final class RecordingListener implements DownloadListener {
        final List<String> started = new ArrayList<>();
        long lastProgress = -1;
        Path finished;

        @Override
        public void started(java.net.URI uri, long offset, long total) {
            started.add(offset + "/" + total);
        }

        @Override
        public void progress(long bytes, long total) {
            lastProgress = bytes;
        }

        @Override
        public void finished(Path path, long size) {
            finished = path;
        }
    }
}
