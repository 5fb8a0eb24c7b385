package io.starling.batch;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.starling.api.inference.Ids;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The files of the batch API on disk: {@code DIR/<id>.jsonl} holds a file's bytes and {@code DIR/<id>.json} its
 * File object and owner, written atomically after the bytes are in place, so a file is listed only once it is
 * whole. Each file belongs to the tenant that made it; to every other tenant it does not exist.
 */
public final class FileStore {

    /**
     * A stored file and the tenant it belongs to (the form of its metadata on disk); {@code order} is its creation
     * time in milliseconds made unique, so lists keep creation order within a second.
     */
    record Entry(String tenant, FileObject file, long order) {
    }

    private final Path dir;
    private final Path uploads;
    private final ObjectMapper mapper;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final CreationOrder order = new CreationOrder();

    /** Opens (or creates) the store in {@code dir}, reading what an earlier run left there. */
    FileStore(Path dir, ObjectMapper mapper) throws IOException {
        this.dir = dir;
        this.uploads = dir.resolve("uploads");
        this.mapper = mapper;
        Files.createDirectories(uploads);
        // uploads that never completed (the process died mid-upload) belong to nobody
        try (DirectoryStream<Path> partial = Files.newDirectoryStream(uploads)) {
            for (Path path : partial) {
                Files.deleteIfExists(path);
            }
        }
        try (DirectoryStream<Path> metadata = Files.newDirectoryStream(dir, "*.json")) {
            for (Path path : metadata) {
                Entry entry = mapper.readValue(path.toFile(), Entry.class);
                entries.put(entry.file().id(), entry);
                order.seen(entry.order());
            }
        }
    }

    /** A fresh path to receive an upload on the store's file system; {@link #add} moves it in place. */
    public Path newUpload() {
        return uploads.resolve(Ids.of("upload-"));
    }

    /** Stores {@code bytes} (moved, not copied) as a new file of {@code tenant}. */
    public FileObject add(String tenant, String filename, String purpose, Path bytes) throws IOException {
        return put(tenant, Ids.of("file-"), filename, purpose, bytes);
    }

    /** Stores {@code bytes} (moved) as file {@code id} of {@code tenant}, replacing any earlier file of that id. */
    FileObject put(String tenant, String id, String filename, String purpose, Path bytes) throws IOException {
        Files.move(bytes, content(id), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        FileObject file = FileObject.of(id, Files.size(content(id)), Ids.nowSeconds(), filename, purpose);
        Entry entry = new Entry(tenant, file, order.next());
        JsonFiles.writeAtomically(mapper, metadata(id), entry);
        entries.put(id, entry);
        return file;
    }

    /** File {@code id} if {@code tenant} owns it. */
    public Optional<FileObject> get(String tenant, String id) {
        Entry entry = id == null ? null : entries.get(id);
        return entry != null && entry.tenant().equals(tenant) ? Optional.of(entry.file()) : Optional.empty();
    }

    /** The files of {@code tenant}, of {@code purpose} (null: any), newest first. */
    public List<FileObject> list(String tenant, String purpose) {
        return entries.values().stream()
                .filter(e -> e.tenant().equals(tenant) && (purpose == null || e.file().purpose().equals(purpose)))
                .sorted(Comparator.comparingLong(Entry::order).reversed())
                .map(Entry::file)
                .toList();
    }

    /** Where the bytes of file {@code id} are. */
    public Path content(String id) {
        return dir.resolve(id + ".jsonl");
    }

    /** Deletes file {@code id} of {@code tenant}; false if it has none of that id. */
    public boolean delete(String tenant, String id) throws IOException {
        if (get(tenant, id).isEmpty()) {
            return false;
        }
        entries.remove(id);
        Files.deleteIfExists(metadata(id));
        Files.deleteIfExists(content(id));
        return true;
    }

    private Path metadata(String id) {
        return dir.resolve(id + ".json");
    }
}
