package io.starling.engine;

import io.starling.model.ContiguousKvStore;
import io.starling.model.KvStore;
import io.starling.model.ModelShape;

/**
 * One {@link io.starling.model.ContiguousKvStore} per sequence, sized for its prompt and token limit, freed by the
 * garbage collector after release. A fork copies the prompt's positions (a paged arena will share pages instead).
 * No sessions: a request with a {@code session_id} is refused.
 */
final class ContiguousKvCaches implements KvCaches {

    private final ModelShape shape;
    // written by the loop thread only; volatile so tests and metrics may read it
    private volatile int live;

    ContiguousKvCaches(ModelShape shape) {
        this.shape = shape;
    }

    @Override
    public void check(GenerationRequest request) {
        if (request.sessionId() != null) {
            throw new IllegalArgumentException("session_id: this server keeps no sessions yet");
        }
    }

    @Override
    public KvCache open(GenerationRequest request, int capacity) {
        check(request);
        return new Cache(ContiguousKvStore.forShape(shape, Math.min(capacity, shape.contextLength())));
    }

    @Override
    public KvCache fork(KvCache prompt, int positions, int capacity) {
        KvStore source = prompt.store();
        KvStore copy = ContiguousKvStore.forShape(shape, Math.min(capacity, shape.contextLength()));
        int kvDim = source.kvDim();
        float[] keys = new float[positions * kvDim];
        float[] values = new float[positions * kvDim];
        // the store holds F16; a float round trip is exact, so the copy equals the original bit for bit
        for (int layer = 0; layer < shape.layers(); layer++) {
            source.readKeys(layer, 0, positions, keys, 0);
            source.readValues(layer, 0, positions, values, 0);
            for (int p = 0; p < positions; p++) {
                copy.write(layer, p, keys, p * kvDim, values, p * kvDim);
            }
        }
        return new Cache(copy);
    }

    @Override
    public int live() {
        return live;
    }

    private final class Cache implements KvCache {
        private final KvStore store;
        private boolean released;

        Cache(KvStore store) {
            this.store = store;
            live++;
        }

        @Override
        public KvStore store() {
            return store;
        }

        @Override
        public int reusedPositions() {
            return 0;
        }

        @Override
        public void release(int[] tokens) {
            if (released) {
                throw new IllegalStateException("a KV cache was released twice");
            }
            released = true;
            live--;
        }
    }
}
