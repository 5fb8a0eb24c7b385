package io.starling.registry.source;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where a model's GGUF file comes from: a local file (a path or a {@code file:} URL), used in place, or an
 * {@code http(s):} URL, downloaded into the {@link ModelCache}. A download always needs its sha256, because a URL
 * names a place and not content: what it serves may change or be tampered with, and the digest is what makes the
 * cached copy trustworthy (and names it).
 */
public sealed interface ModelSource {

    /** The digest the file must have, if one was configured (always present for a {@link Download}). */
    Optional<Sha256> sha256();

    /** The source as a user would write it: the path or URL. */
    String location();

    /** A file on this machine, used where it is. */
    record LocalFile(Path path, Optional<Sha256> sha256) implements ModelSource {
        public LocalFile {
            if (path == null || sha256 == null) {
                throw new IllegalArgumentException("a local model source needs a path");
            }
        }

        @Override
        public String location() {
            return path.toString();
        }
    }

    /** A file served over HTTP(S), kept in the cache under its sha256. */
    record Download(URI uri, Sha256 expected) implements ModelSource {
        public Download {
            if (uri == null || expected == null) {
                throw new IllegalArgumentException("a download needs a URL and a sha256");
            }
        }

        @Override
        public Optional<Sha256> sha256() {
            return Optional.of(expected);
        }

        @Override
        public String location() {
            return uri.toString();
        }
    }

    /** {@link #parse(String, String)} without a digest: only local files can be used so. */
    static ModelSource parse(String location) {
        return parse(location, null);
    }

    /**
     * Reads a configured source.
     *
     * @param location a local path, a {@code file:} URL or an {@code http(s)://} URL
     * @param sha256   64 hex digits, or null/blank for none (only allowed for local files)
     * @throws IllegalArgumentException saying what is wrong with either
     */
    static ModelSource parse(String location, String sha256) {
        if (location == null || location.isBlank()) {
            throw new IllegalArgumentException("a model source is a path or a file:, http: or https: URL, not an empty value");
        }
        String text = location.strip();
        Optional<Sha256> digest = sha256 == null || sha256.isBlank() ? Optional.empty() : Optional.of(Sha256.parse(sha256));
        // A URL scheme as RFC 3986 spells it, followed by "://"; anything else is read as a file path.
        var scheme = Pattern.compile("^([a-zA-Z][a-zA-Z0-9+.-]*)://.*").matcher(text);
        if (scheme.matches() || text.regionMatches(true, 0, "file:", 0, 5)) {
            String name = scheme.matches() ? scheme.group(1).toLowerCase(Locale.ROOT) : "file";
            return switch (name) {
                case "http", "https" -> new Download(httpUri(text),
                        digest.orElseThrow(() -> new IllegalArgumentException("the model source " + text
                                + " needs a sha256: a download is only trusted when its digest is configured")));
                case "file" -> new LocalFile(fileUriPath(text), digest);
                default -> throw new IllegalArgumentException("unsupported model source scheme '" + name + "' in " + text
                        + " (use a path or a file:, http: or https: URL)");
            };
        }
        try {
            return new LocalFile(Path.of(text), digest);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("invalid model path '" + text + "': " + e.getReason(), e);
        }
    }

    private static URI httpUri(String text) {
        URI uri = uri(text);
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new IllegalArgumentException("the model URL " + text + " has no host");
        }
        return uri;
    }

    private static Path fileUriPath(String text) {
        URI uri = uri(text);
        if (uri.isOpaque() || uri.getPath() == null || uri.getPath().isEmpty()) {
            throw new IllegalArgumentException("a file: model URL needs an absolute path (file:/dir/model.gguf or "
                    + "file:///dir/model.gguf), not " + text);
        }
        if (uri.getAuthority() != null && !uri.getAuthority().isEmpty() && !"localhost".equalsIgnoreCase(uri.getAuthority())) {
            throw new IllegalArgumentException("a file: model URL names a file on this machine, not on host '"
                    + uri.getAuthority() + "': " + text);
        }
        try {
            return Path.of(uri.getPath());
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("invalid path in the model URL " + text + ": " + e.getReason(), e);
        }
    }

    private static URI uri(String text) {
        try {
            return new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("invalid model URL " + text + ": " + e.getReason()
                    + (e.getIndex() >= 0 ? " at index " + e.getIndex() : ""), e);
        }
    }
}
