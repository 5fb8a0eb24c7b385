package io.starling.api.error;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.smallrye.mutiny.Multi;
import io.starling.engine.GenerationEvent;
import io.starling.engine.GenerationRequest;
import io.starling.engine.InferenceEngine;
import io.starling.engine.QueueFullException;
import io.starling.sampling.SamplerConfig;
import io.starling.registry.ModelRegistry;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A real queue at its default depth, filled with long jobs: the next HTTP request is 429 and /ready is down. */
@QuarkusTest
class FullQueueOverHttpTest {

    @Inject
    ModelRegistry registry;

    /** The engine of the one model version the test server deploys (the embedded model). */
    private InferenceEngine engine() {
        return registry.all().getFirst().engine();
    }

    @Test
    void aFullQueueRefusesOverHttpAndReadinessSaysSo() throws InterruptedException {
        // EOS masked: each job runs 16 x 500 tokens, seconds of work, so the queue cannot drain during the test
        GenerationRequest longJob = new GenerationRequest(new int[] {1, 403},
                SamplerConfig.greedy().withMaskedTokens(2), 500, 16, List.of(), -1);
        List<Multi<GenerationEvent>> filling = new ArrayList<>();
        try {
            fill(longJob, filling);
            // the first job may not have left the queue yet when the loop filled it: wait until it runs, top up again
            while (!engine().busy()) {
                Thread.sleep(5);
            }
            fill(longJob, filling);
            assertThat(engine().queueDepth()).isEqualTo(engine().maxQueueDepth());
            given().contentType(ContentType.JSON).body("{\"prompt\":\"x\",\"max_tokens\":1}").post("/v1/completions")
                    .then().statusCode(429)
                    .header("Retry-After", matchesPattern("[1-9][0-9]*"))
                    .body("error.code", equalTo("queue_full"));
            given().get("/ready").then().statusCode(503)
                    .body("checks.find { it.name == 'engine' }.status", equalTo("DOWN"));
        } finally {
            filling.forEach(multi -> multi.subscribe().with(e -> { }, f -> { }).cancel());
        }
        while (engine().queueDepth() > 0 || engine().busy()) {
            Thread.sleep(10);
        }
        given().get("/ready").then().statusCode(200);
    }

    private void fill(GenerationRequest job, List<Multi<GenerationEvent>> filling) {
        try {
            while (true) {
                filling.add(engine().submit(job));
            }
        } catch (QueueFullException full) {
            // full now
        }
    }
}
