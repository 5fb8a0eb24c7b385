package io.starling.api.inference;

import io.opentelemetry.context.Context;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.starling.engine.GenerationEvent;
import io.starling.engine.GenerationEvent.Completed;
import io.starling.engine.GenerationEvent.GeneratedToken;
import io.starling.engine.GenerationEvent.SequenceEnd;
import io.starling.engine.GenerationRequest;
import io.starling.engine.InferenceEngine;
import io.starling.security.TokenRateLimit;
import io.starling.security.TokenRateLimit.Reservation;
import io.starling.telemetry.PredictionMonitor;
import io.starling.telemetry.RequestRecord;
import io.starling.telemetry.Spans;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The engine of the model version {@link RequestPrelude} routed the request to, as the API uses it: each request first reserves the most tokens it may use from its tenant's
 * allowance ({@link TokenRateLimit}), and as its jobs end, what they really used is written to the request's record
 * (usage and timings for the access log) and the unused rest of the reservation is given back. Each generated
 * sequence's mean token probability goes to the {@link PredictionMonitor} as the model's confidence (pipeline
 * {@code none}), except for pipelines, which record their own predictions; each job's queue wait, prefill and decode
 * become spans of the request's trace ({@link Spans}).
 */
@ApplicationScoped
public class MeteredEngine {

    private final TokenRateLimit tokenLimit;
    private final RequestPrelude prelude;
    private final PredictionMonitor predictions;
    private final Spans spans;

    MeteredEngine(TokenRateLimit tokenLimit, RequestPrelude prelude, PredictionMonitor predictions, Spans spans) {
        this.tokenLimit = tokenLimit;
        this.prelude = prelude;
        this.predictions = predictions;
        this.spans = spans;
    }

    public Multi<GenerationEvent> submit(GenerationRequest job) {
        return submitAll(List.of(job)).getFirst();
    }

    /** See {@link Metered#submitAll}. */
    public List<Multi<GenerationEvent>> submitAll(List<GenerationRequest> jobs) {
        return forRequest().submitAll(jobs);
    }

    /** See {@link Metered#embedAll}. */
    public Uni<List<float[]>> embedAll(List<int[]> inputs) {
        return forRequest().embedAll(inputs);
    }

    /**
     * The engine and allowance of the request being served on this thread, taken now so that later jobs of the
     * same request (a pipeline's next stage, submitted from an engine callback) are metered alike off that thread.
     */
    public Metered forRequest() {
        return new Metered(prelude.record(), prelude.deployment().engine(), prelude.deployment().name(), true,
                Context.current());
    }

    /**
     * Like {@link #forRequest}, for a pipeline: its generations' confidences are not recorded here, since the
     * pipeline records one prediction per input it answers (classify or generate, cached or not).
     */
    public Metered forPipeline() {
        return new Metered(prelude.record(), prelude.deployment().engine(), prelude.deployment().name(), false,
                Context.current());
    }

    /** One request's engine jobs, metered against its tenant's allowance and written to its record. */
    public final class Metered {
        private final RequestRecord record;
        private final InferenceEngine engine;
        private final String model;
        private final boolean recordConfidence;
        /** The request's trace, taken on its thread: engine events arrive on the engine's. */
        private final Context trace;

        private Metered(RequestRecord record, InferenceEngine engine, String model, boolean recordConfidence,
                        Context trace) {
            this.record = record;
            this.engine = engine;
            this.model = model;
            this.recordConfidence = recordConfidence;
            this.trace = trace;
        }

        /** The most jobs the engine's queue holds: more at once would be refused. */
        public int maxQueueDepth() {
            return engine.maxQueueDepth();
        }

        /**
         * Admits every job of a request, or none: when one is refused (queue full), the ones already admitted are
         * cancelled so they do not run for a client that got a 429, and the reservation goes back whole.
         */
        public List<Multi<GenerationEvent>> submitAll(List<GenerationRequest> jobs) {
            long most = 0;
            for (GenerationRequest job : jobs) {
                most += job.promptLength() + (long) job.maxTokens() * job.n();
            }
            RequestUsage usage = new RequestUsage(tokenLimit.reserve(record.tenant(), most, "max_tokens"), record, jobs.size());
            List<Multi<GenerationEvent>> submitted = new ArrayList<>(jobs.size());
            try {
                // the scheduler shares the engine fairly between the same tenants the limits count
                String tenant = record.tenant();
                for (GenerationRequest job : jobs) {
                    GenerationRequest owned = tenant == null ? job : job.withTenant(tenant);
                    Multi<GenerationEvent> events = observed(engine.submit(owned), model, job.n(), trace, recordConfidence);
                    submitted.add(usage.meter(events, job.promptLength()));
                }
                return submitted;
            } catch (RuntimeException e) {
                usage.abandoned = true;
                for (Multi<GenerationEvent> multi : submitted) {
                    multi.subscribe().with(event -> { }, failure -> { }).cancel();
                }
                usage.reservation.settle(0);
                throw e;
            }
        }

        /** The embedding of each input, one after another; every input token counts against the allowance. */
        public Uni<List<float[]>> embedAll(List<int[]> inputs) {
            long tokens = 0;
            for (int[] input : inputs) {
                tokens += input.length;
            }
            long total = tokens;
            Reservation reservation = tokenLimit.reserve(record.tenant(), total, "input");
            return Multi.createFrom().iterable(inputs)
                    .onItem().transformToUniAndConcatenate(engine::embed)
                    .collect().asList()
                    .onTermination().invoke((vectors, failure, cancelled) -> {
                        boolean done = failure == null && !cancelled;
                        if (done) {
                            record.promptTokens((int) total);
                        } else if (failure != null) {
                            record.failed(failure);
                        } else {
                            record.clientGone();
                        }
                        reservation.settle(done ? total : 0);
                    });
        }
    }

    /**
     * Records each sequence's confidence as it ends (unless {@code recordConfidence} is off): the mean probability of
     * its generated tokens (the chosen token's probability under the raw logits, which the sampler always computes);
     * a sequence that generated nothing predicted nothing and is not recorded. When the job completes, its phases
     * become spans of {@code trace}.
     */
    private Multi<GenerationEvent> observed(Multi<GenerationEvent> events, String model, int sequences,
            Context trace, boolean recordConfidence) {
        double[] probabilitySums = new double[sequences]; // one subscriber's serialised callbacks touch them
        return events.onItem().invoke(event -> {
            switch (event) {
                case GeneratedToken t -> probabilitySums[t.index()] += Math.exp(t.logprob());
                case SequenceEnd end when recordConfidence && end.completionTokens() > 0 -> {
                    double confidence = probabilitySums[end.index()] / end.completionTokens();
                    // logits with NaN or infinities give no probabilities: nothing to record, the answer stands
                    if (!Double.isNaN(confidence)) {
                        predictions.record(model, PredictionMonitor.NO_PIPELINE, confidence, null);
                    }
                }
                case Completed c -> spans.enginePhases(trace, model, c.queueMs(), c.prefillMs(), c.decodeMs());
                default -> {
                }
            }
        });
    }

    /** The tokens a request's jobs used, settled against its reservation once the last job has ended. */
    private static final class RequestUsage {
        private final Reservation reservation;
        private final RequestRecord record;
        private final AtomicInteger running;
        private final AtomicLong used = new AtomicLong();
        /** Set when the request is refused after some of its jobs were admitted: their cancellation is ours. */
        private volatile boolean abandoned;

        RequestUsage(Reservation reservation, RequestRecord record, int jobs) {
            this.reservation = reservation;
            this.record = record;
            this.running = new AtomicInteger(jobs);
        }

        /**
         * Counts one job's tokens as its events pass: its usage once it completes; if it is cancelled or fails
         * first, the prompt (once the engine has started on it) and the tokens generated until then.
         */
        Multi<GenerationEvent> meter(Multi<GenerationEvent> events, int promptTokens) {
            long[] seen = {0, 0}; // events, generated tokens; touched by one subscriber's serialised callbacks
            Completed[] completed = {null};
            return events.onItem().invoke(event -> {
                seen[0]++;
                switch (event) {
                    case GeneratedToken t -> seen[1]++;
                    case Completed c -> {
                        completed[0] = c;
                        record.job(c.promptTokens(), c.completionTokens(), c.queueMs(), c.prefillMs(), c.decodeMs());
                    }
                    default -> {
                    }
                }
            }).onTermination().invoke((failure, cancelled) -> {
                Completed c = completed[0];
                if (failure != null) {
                    record.failed(failure);
                } else if (cancelled && !abandoned) {
                    record.clientGone();
                }
                used.addAndGet(c != null ? c.promptTokens() + c.completionTokens() : seen[0] > 0 ? promptTokens + seen[1] : 0);
                if (running.decrementAndGet() == 0) {
                    reservation.settle(used.get());
                }
            });
        }
    }
}
