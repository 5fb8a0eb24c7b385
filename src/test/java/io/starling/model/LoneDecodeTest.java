package io.starling.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.gguf.GgufFile;
import io.starling.tensor.MatMul;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A lone decode token has its heads, and from {@link CausalAttention#SPLIT_GATHER} positions on its gather, split over
 * the kernel threads: below and above the threshold, after a prompt chunk that crosses it, its logits are the bits one
 * thread gives, on two and three threads.
 */
class LoneDecodeTest {

    @TempDir
    Path dir;

    @Test
    void longContextsGiveTheBitsOfOneThread() throws Exception {
        int prompt = CausalAttention.SPLIT_GATHER + 45;
        Path path = SyntheticModel.small().context(2 * prompt).write(dir.resolve("small.gguf"));
        try (GgufFile file = GgufFile.open(path)) {
            float[][] alone = decodeAfter(file, 1, prompt);
            for (int threads : new int[] {2, 3}) {
                float[][] split = decodeAfter(file, threads, prompt);
                for (int step = 0; step < alone.length; step++) {
                    assertThat(split[step]).as("%d threads, step %d", threads, step).containsExactly(alone[step]);
                }
            }
        }
    }

    /** Logits of decodes at positions below the threshold, then of eight past {@code prompt} prefilled tokens. */
    private static float[][] decodeAfter(GgufFile file, int threads, int prompt) {
        try (MatMul matMul = new MatMul(threads)) {
            LlamaModel model = LlamaModel.load(file, matMul);
            int vocab = model.shape().vocabSize();
            KvStore kv = model.newKvStore(prompt + 8);
            int below = CausalAttention.SPLIT_GATHER - 3;
            int[] tokens = new int[prompt];
            for (int i = 0; i < prompt; i++) {
                tokens[i] = (i * 37 + 5) % vocab;
            }
            float[][] logits = new float[14][];
            model.forward(Batch.single(kv, 0, java.util.Arrays.copyOf(tokens, below), Batch.Outputs.NONE));
            for (int i = 0; i < 6; i++) {
                // one token at a time across the threshold
                logits[i] = decode(model, kv, below + i, tokens[below + i]);
            }
            model.forward(Batch.single(kv, below + 6, java.util.Arrays.copyOfRange(tokens, below + 6, prompt),
                    Batch.Outputs.NONE));
            for (int i = 0; i < 8; i++) {
                logits[6 + i] = decode(model, kv, prompt + i, (i * 11 + 3) % vocab);
            }
            return logits;
        }
    }

    private static float[] decode(LlamaModel model, KvStore kv, int position, int token) {
        Logits logits = model.forward(new Batch(List.of(new Batch.Sequence(kv, position, new int[] {token},
                Batch.Outputs.LAST))));
        return logits.row(0);
    }
}
