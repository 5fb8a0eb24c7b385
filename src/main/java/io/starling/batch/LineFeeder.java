package io.starling.batch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.subscription.Cancellable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Feeds the lines of one input to a {@link RequestRunner}, for the offline job and the server's batches alike:
 * every line of the shard without a result yet is answered, at most {@code maxInFlight} requests at once, and a new
 * one is submitted as soon as one ends, so the engine's batch stays full. Each result goes to the
 * {@link Checkpoint} as it completes.
 *
 * <p>It can be told to stop early from another thread in two ways: {@link #stop} submits nothing more but lets the
 * requests in flight finish and records them (a cancelled or expired batch keeps its partial results);
 * {@link #abandon} also cancels those in flight and records none of them (a server shutting down: they run again
 * when the job resumes).
 */
final class LineFeeder {

    /** Hears of every result line written, on the thread that wrote it. */
    interface Listener {
        void recorded(ResultLine line, long promptTokens, long generatedTokens);
    }

    private final ObjectMapper mapper;
    private final RequestRunner runner;
    private final Checkpoint checkpoint;
    private final int maxInFlight;
    private final Listener listener;
    private final Semaphore slots;
    /** Requests in flight by request number, so that {@link #abandon} can cancel them. */
    private final Map<Long, Subscription> inFlight = new ConcurrentHashMap<>();
    private final AtomicReference<Throwable> fatal = new AtomicReference<>();
    private volatile boolean stopping;
    private volatile boolean abandoned;

    LineFeeder(ObjectMapper mapper, RequestRunner runner, Checkpoint checkpoint, int maxInFlight, Listener listener) {
        this.mapper = mapper;
        this.runner = runner;
        this.checkpoint = checkpoint;
        this.maxInFlight = maxInFlight;
        this.listener = listener;
        this.slots = new Semaphore(maxInFlight);
    }

    /**
     * Submits every request of {@code shard} in {@code input} that has no result yet and waits for the last; true
     * if it ended early: after {@code maxRequests} submissions (0: no such limit), or told to stop.
     *
     * @param endpoint the url every line must name (a server batch's endpoint, a pipeline's with its name; a line
     *                 naming another is answered with an error line), or null for any batch url
     */
    boolean feed(Path input, Shard shard, long maxRequests, String endpoint) throws IOException, InterruptedException {
        BatchInput.Reader reader = new BatchInput.Reader(mapper);
        long submitted = 0;
        boolean early = false;
        try (JsonLines lines = new JsonLines(input)) {
            for (JsonLines.Line line = lines.next(); line != null && fatal.get() == null; line = lines.next()) {
                BatchInput next = reader.read(line);
                if (!shard.takes(next.request()) || checkpoint.done(next.request())) {
                    continue;
                }
                if (stopping || maxRequests > 0 && submitted == maxRequests) {
                    early = true;
                    break;
                }
                submitted++;
                switch (next) {
                    case BatchInput.Invalid invalid -> write(invalid.request(),
                            ResultLine.refused(invalid.customId(), invalid.code(), invalid.message()), 0, 0);
                    case BatchInput.Request request when endpoint != null && !request.url().equals(endpoint) ->
                            write(request.request(), ResultLine.refused(request.customId(), "mismatched_url",
                                    "line " + line.number() + ": url " + request.url()
                                            + " is not the batch's endpoint " + endpoint), 0, 0);
                    case BatchInput.Request request -> submit(request);
                }
            }
        }
        slots.acquire(maxInFlight);
        Throwable failure = fatal.get();
        if (failure != null) {
            if (failure instanceof IOException io) {
                throw io;
            }
            throw new IllegalStateException("the batch job failed: " + failure, failure);
        }
        return early || stopping;
    }

    private void submit(BatchInput.Request request) throws InterruptedException, IOException {
        slots.acquire();
        if (stopping) {
            slots.release();
            return;
        }
        long number = request.request();
        // registered before it starts: an answer may come at once, on this thread, and must find it
        Subscription subscription = new Subscription();
        inFlight.put(number, subscription);
        subscription.set(runner.run(request).subscribe().with(outcome -> {
            if (inFlight.remove(number) == null) {
                return; // abandoned: its slot is back already and its result is not wanted
            }
            try {
                write(number, ResultLine.answered(request.customId(), outcome.status(), outcome.body()),
                        outcome.promptTokens(), outcome.generatedTokens());
            } catch (IOException | RuntimeException e) {
                fatal.compareAndSet(null, e);
            } finally {
                slots.release();
            }
        }, failure -> {
            if (inFlight.remove(number) != null) {
                fatal.compareAndSet(null, failure);
                slots.release();
            }
        }));
    }

    private void write(long request, ResultLine line, long prompt, long generated) throws IOException {
        if (abandoned) {
            return;
        }
        String json;
        try {
            json = mapper.writeValueAsString(line);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        checkpoint.append(request, json);
        listener.recorded(line, prompt, generated);
    }

    /** Submits nothing more; the requests in flight finish and are recorded. */
    void stop() {
        stopping = true;
    }

    /** Submits nothing more and cancels the requests in flight without recording them. */
    void abandon() {
        abandoned = true;
        stopping = true;
        for (Long number : inFlight.keySet()) {
            release(number);
        }
    }

    private void release(long number) {
        Subscription running = inFlight.remove(number);
        if (running != null) {
            running.cancel();
            slots.release();
        }
    }

    /** A request's subscription, which may be cancelled before the subscribing call has returned it. */
    private static final class Subscription {
        private Cancellable cancellable;
        private boolean cancelled;

        synchronized void set(Cancellable subscribed) {
            cancellable = subscribed;
            if (cancelled) {
                subscribed.cancel();
            }
        }

        synchronized void cancel() {
            cancelled = true;
            if (cancellable != null) {
                cancellable.cancel();
            }
        }
    }
}
