package io.starling.registry.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ModelSourceTest {

    private static final String HEX = "886715e4051e827f4fe215df3053af3f85ad0d352db2c829c7487af6d78efe30";

    @Test
    void pathsAreLocalFilesWithOrWithoutADigest() {
        assertThat(ModelSource.parse("models/tiny.gguf"))
                .isEqualTo(new ModelSource.LocalFile(Path.of("models/tiny.gguf"), Optional.empty()));
        assertThat(ModelSource.parse(" /srv/m:1.gguf ", HEX.toUpperCase()))
                .as("a colon in a path is no scheme; the digest is case-insensitive")
                .isEqualTo(new ModelSource.LocalFile(Path.of("/srv/m:1.gguf"), Optional.of(new Sha256(HEX))));
    }

    @ParameterizedTest
    @CsvSource({"file:/srv/models/a.gguf, /srv/models/a.gguf", "file:///srv/models/a.gguf, /srv/models/a.gguf",
            "FILE://localhost/srv/a%20b.gguf, /srv/a b.gguf"})
    void fileUrlsAreLocalFiles(String url, String path) {
        assertThat(ModelSource.parse(url, HEX)).isEqualTo(new ModelSource.LocalFile(Path.of(path), Optional.of(new Sha256(HEX))));
    }

    @Test
    void httpUrlsAreDownloadsAndNeedASha256() {
        assertThat(ModelSource.parse("https://example.org/m.gguf?download=1", HEX))
                .isEqualTo(new ModelSource.Download(URI.create("https://example.org/m.gguf?download=1"), new Sha256(HEX)));
        assertThat(ModelSource.parse("HTTP://127.0.0.1:8000/m.gguf", HEX)).isInstanceOf(ModelSource.Download.class);
        for (String missing : new String[] {null, "", "  "}) {
            assertThatThrownBy(() -> ModelSource.parse("https://example.org/m.gguf", missing))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("the model source https://example.org/m.gguf needs a sha256: a download is only trusted "
                            + "when its digest is configured");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "886715e4051e827f4fe215df3053af3f85ad0d352db2c829c7487af6d78efe3",
            "886715e4051e827f4fe215df3053af3f85ad0d352db2c829c7487af6d78efe300",
            "g86715e4051e827f4fe215df3053af3f85ad0d352db2c829c7487af6d78efe30"})
    void malformedDigestsAreRejected(String sha256) {
        assertThatThrownBy(() -> ModelSource.parse("/m.gguf", sha256))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("a sha256 is 64 hex digits");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "' '|not an empty value",
            "s3://bucket/m.gguf|unsupported model source scheme 's3'",
            "ftp://host/m.gguf|unsupported model source scheme 'ftp'",
            "https:///m.gguf|has no host",
            "https://exa mple.org/m.gguf|invalid model URL",
            "file:m.gguf|needs an absolute path",
            "file://fileserver/share/m.gguf|not on host 'fileserver'"})
    void badSourcesSayWhatIsWrong(String source, String message) {
        assertThatThrownBy(() -> ModelSource.parse(source, HEX))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void theLocationIsWhatTheUserWrote() {
        assertThat(ModelSource.parse("https://example.org/m.gguf", HEX).location()).isEqualTo("https://example.org/m.gguf");
        assertThat(ModelSource.parse("/srv/m.gguf").location()).isEqualTo("/srv/m.gguf");
    }
}
