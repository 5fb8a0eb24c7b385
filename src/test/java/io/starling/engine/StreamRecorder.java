package io.starling.engine;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.Cancellable;
import io.starling.engine.GenerationEvent.GeneratedToken;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Subscribes to one engine stream and keeps everything it says, counting how often it ends. */
final class StreamRecorder {

    final List<GenerationEvent> events = new CopyOnWriteArrayList<>();
    final AtomicInteger terminals = new AtomicInteger();
    volatile Throwable failure;
    private final CountDownLatch ended = new CountDownLatch(1);
    private final Cancellable subscription;

    /** Subscribes at once; to cancel after k events, pass {@code stream.select().first(k)}. */
    StreamRecorder(Multi<GenerationEvent> stream) {
        subscription = stream.subscribe().with(events::add, error -> {
            failure = error;
            terminals.incrementAndGet();
            ended.countDown();
        }, () -> {
            terminals.incrementAndGet();
            ended.countDown();
        });
    }

    void cancel() {
        subscription.cancel();
    }

    StreamRecorder await(Duration timeout) throws InterruptedException {
        if (!ended.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("stream did not end within " + timeout + "; events so far: " + events.size());
        }
        return this;
    }

    /** The generated ids of sequence {@code index}, in order. */
    int[] tokens(int index) {
        return events.stream().filter(e -> e instanceof GeneratedToken t && t.index() == index)
                .mapToInt(e -> ((GeneratedToken) e).token()).toArray();
    }

    long tokenCount() {
        return events.stream().filter(GeneratedToken.class::isInstance).count();
    }
}
