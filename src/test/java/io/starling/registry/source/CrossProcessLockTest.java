package io.starling.registry.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two processes sharing one cache directory (two pods on one volume): the second waits and uses the first's download. */
class CrossProcessLockTest {

    private static final byte[] MODEL = ModelCacheDownloadTest.MODEL;
    private static final Sha256 MODEL_SHA = ModelCacheDownloadTest.MODEL_SHA;

    @TempDir
    Path cacheDir;

    @Test
    void aModelLockedByAnotherProcessIsWaitedForAndThenTakenFromTheCache() throws Exception {
        Path lockFile = cacheDir.resolve(".locks").resolve(MODEL_SHA.hex() + ".lock");
        Process other = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), LockHolder.class.getName(), lockFile.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try (ModelFileServer server = new ModelFileServer(MODEL)) {
            BufferedReader said = new BufferedReader(new InputStreamReader(other.getInputStream(), StandardCharsets.UTF_8));
            assertThat(said.readLine()).isEqualTo("locked");

            CountDownLatch waiting = new CountDownLatch(1);
            DownloadListener listener = new DownloadListener() {
                @Override
                public void waitingForLock(Path file) {
                    waiting.countDown();
                }
            };
            ModelCache cache = new ModelCache(cacheDir);
            CompletableFuture<Path> resolved = CompletableFuture.supplyAsync(() -> {
                try {
                    return cache.resolve(new ModelSource.Download(server.uri(), MODEL_SHA), listener);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            assertThat(waiting.await(10, TimeUnit.SECONDS)).as("the resolve waits for the other process's lock").isTrue();
            assertThat(resolved).isNotDone();

            // What the other process's download leaves when it finishes: the sidecar, then the model file.
            Path target = cacheDir.resolve(MODEL_SHA.hex() + ".gguf");
            CacheEntryFile.write(CacheEntryFile.of(target, MODEL_SHA), MODEL_SHA, server.uri().toString(), MODEL.length, Instant.now());
            Files.write(target, MODEL);
            other.getOutputStream().close();

            assertThat(resolved.get(10, TimeUnit.SECONDS)).isEqualTo(target);
            assertThat(server.requests()).as("the other process's download is used, not repeated").isZero();
        } finally {
            other.destroy();
            other.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
