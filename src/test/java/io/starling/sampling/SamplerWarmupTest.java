package io.starling.sampling;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SamplerWarmupTest {

    private static final int VOCAB = 300;

    @Test
    void stepsEndAfterEverySettingWasSampledEnough() {
        SamplerWarmup warmup = new SamplerWarmup(new SamplingScratch(VOCAB));
        int steps = 0;
        while (warmup.step()) {
            steps++;
            assertThat(steps).as("steps before the warm-up ends").isLessThan(10_000);
        }
        assertThat(warmup.done()).isTrue();
        assertThat(warmup.step()).isFalse();
        assertThat(steps).isEqualTo(SamplerWarmup.SAMPLES);
    }

    @Test
    void aSamplerSharingTheWarmedScratchDrawsWhatAColdOneDoes() {
        Random random = new Random(3);
        float[] logits = new float[VOCAB];
        for (int i = 0; i < VOCAB; i++) {
            logits[i] = random.nextFloat(-4, 4);
        }
        SamplerConfig config = SamplerConfig.sampling(0.9f, 11).withTopK(20).withTopP(0.9f)
                .withPenalties(1.2f, 8, 0.2f, 0.1f).withLogprobs(4);
        Sample cold = drawFive(new Sampler(config, new SamplingScratch(VOCAB)), logits);

        SamplingScratch scratch = new SamplingScratch(VOCAB);
        SamplerWarmup warmup = new SamplerWarmup(scratch);
        while (warmup.step()) {
            // run it out
        }
        Sample warm = drawFive(new Sampler(config, scratch), logits);
        assertThat(warm).isEqualTo(cold);
    }

    private static Sample drawFive(Sampler sampler, float[] logits) {
        Sample last = null;
        for (int i = 0; i < 5; i++) {
            last = sampler.sample(logits, 0);
            sampler.accept(last.token());
        }
        return last;
    }
}
