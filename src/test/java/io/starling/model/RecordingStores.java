package io.starling.model;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A warm-up's {@link Warmup.Stores} that records what it hands out and takes back, over other stores; optionally the
 * n-th store fails to open. Thread-safe to read while an engine loop uses it.
 */
public final class RecordingStores implements Warmup.Stores {

    private final Warmup.Stores inner;
    private final int failingOpen;
    public final List<KvStore> opened = new CopyOnWriteArrayList<>();
    public final List<KvStore> closed = new CopyOnWriteArrayList<>();
    public volatile boolean released;

    public RecordingStores(Warmup.Stores inner) {
        this(inner, 0);
    }

    /** Stores of which the {@code failingOpen}-th (from 1; 0 for none) throws instead of opening. */
    public RecordingStores(Warmup.Stores inner, int failingOpen) {
        this.inner = inner;
        this.failingOpen = failingOpen;
    }

    @Override
    public KvStore open(int capacity) {
        if (opened.size() + 1 == failingOpen) {
            throw new IllegalStateException("store " + failingOpen + " cannot be opened");
        }
        KvStore kv = inner.open(capacity);
        opened.add(kv);
        return kv;
    }

    @Override
    public void extend(KvStore store, int[] tokens) {
        inner.extend(store, tokens);
    }

    @Override
    public void close(KvStore store) {
        closed.add(store);
        inner.close(store);
    }

    @Override
    public void release() {
        inner.release();
        released = true;
    }
}
