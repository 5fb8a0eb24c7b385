package io.starling.registry.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCacheLocalTest {

    private static final byte[] MODEL = ModelCacheDownloadTest.MODEL;
    private static final Sha256 MODEL_SHA = ModelCacheDownloadTest.MODEL_SHA;

    @TempDir
    Path cacheDir;

    @TempDir
    Path models;

    @Test
    void aLocalFileIsUsedInPlaceAndVerifiedOnlyOnce() throws Exception {
        Path file = Files.write(models.resolve("tiny.gguf"), MODEL);
        ModelSource source = new ModelSource.LocalFile(file, Optional.of(MODEL_SHA));
        ModelCache cache = new ModelCache(cacheDir);

        assertThat(cache.resolve(source, DownloadListener.NONE)).isEqualTo(file);
        assertThat(cache.filesHashed()).isEqualTo(1);

        ModelCache afterRestart = new ModelCache(cacheDir);
        assertThat(afterRestart.resolve(source, DownloadListener.NONE)).isEqualTo(file);
        assertThat(afterRestart.filesHashed()).as("the recorded verification is trusted").isZero();
        assertThat(afterRestart.list()).as("a local file is not copied into the cache").isEmpty();
    }

    @Test
    void aChangedModificationTimeOrSizeMakesItVerifyAgain() throws Exception {
        Path file = Files.write(models.resolve("tiny.gguf"), MODEL);
        ModelSource source = new ModelSource.LocalFile(file, Optional.of(MODEL_SHA));
        ModelCache cache = new ModelCache(cacheDir);
        cache.resolve(source, DownloadListener.NONE);

        Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
        cache.resolve(source, DownloadListener.NONE);
        assertThat(cache.filesHashed()).isEqualTo(2);
        cache.resolve(source, DownloadListener.NONE);
        assertThat(cache.filesHashed()).isEqualTo(2);

        FileTime mtime = Files.getLastModifiedTime(file);
        Files.write(file, new byte[] {1, 2, 3}, java.nio.file.StandardOpenOption.APPEND);
        Files.setLastModifiedTime(file, mtime);
        assertThatThrownBy(() -> cache.resolve(source, DownloadListener.NONE))
                .as("a longer file with the same mtime is hashed again, and now fails")
                .isInstanceOf(ChecksumMismatchException.class);
        assertThat(cache.filesHashed()).isEqualTo(3);
    }

    @Test
    void aWrongDigestIsRefusedEveryTime() throws Exception {
        Path file = Files.write(models.resolve("tiny.gguf"), MODEL);
        Sha256 other = ModelBytes.sha256(new byte[] {1});
        ModelSource source = new ModelSource.LocalFile(file, Optional.of(other));
        ModelCache cache = new ModelCache(cacheDir);
        for (int attempt = 1; attempt <= 2; attempt++) {
            assertThatThrownBy(() -> cache.resolve(source, DownloadListener.NONE))
                    .isInstanceOfSatisfying(ChecksumMismatchException.class, e -> {
                        assertThat(e.getMessage()).isEqualTo("sha256 mismatch for " + file + ": expected " + other + ", got " + MODEL_SHA);
                        assertThat(e.actual()).isEqualTo(MODEL_SHA);
                    });
        }
        assertThat(cache.filesHashed()).as("a failure is not recorded as a verification").isEqualTo(2);
    }

    @Test
    void withoutADigestTheFileIsNotRead() throws Exception {
        Path file = Files.write(models.resolve("tiny.gguf"), MODEL);
        ModelCache cache = new ModelCache(cacheDir);
        assertThat(cache.resolve(ModelSource.parse(file.toUri().toString()), DownloadListener.NONE)).isEqualTo(file);
        assertThat(cache.filesHashed()).isZero();
        assertThat(cacheDir).isEmptyDirectory();
    }

    @Test
    void aCacheThatCannotBeWrittenStillServesAVerifiedFile() throws Exception {
        Path file = Files.write(models.resolve("tiny.gguf"), MODEL);
        Path notADirectory = Files.writeString(cacheDir.resolve("occupied"), "a file where the cache should be");
        ModelCache cache = new ModelCache(notADirectory);
        ModelSource source = new ModelSource.LocalFile(file, Optional.of(MODEL_SHA));

        assertThat(cache.resolve(source, DownloadListener.NONE)).isEqualTo(file);
        assertThat(cache.resolve(source, DownloadListener.NONE)).isEqualTo(file);
        assertThat(cache.filesHashed()).as("unrecorded, so hashed each time").isEqualTo(2);
    }

    @Test
    void aMissingFileIsNoSuchFile() {
        Path missing = models.resolve("absent.gguf");
        assertThatThrownBy(() -> new ModelCache(cacheDir).resolve(ModelSource.parse(missing.toString()), DownloadListener.NONE))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining(missing.toString());
    }

    @Test
    void theDefaultDirectoryIsTheEnvironmentsOrUnderHome() {
        assertThat(ModelCache.defaultDir("/var/cache/models", "/home/u")).isEqualTo(Path.of("/var/cache/models"));
        assertThat(ModelCache.defaultDir(" ", "/home/u")).isEqualTo(Path.of("/home/u/.starling/models"));
        assertThat(ModelCache.defaultDir(null, "/home/u")).isEqualTo(Path.of("/home/u/.starling/models"));
    }
}
