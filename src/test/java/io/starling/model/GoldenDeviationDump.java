package io.starling.model;

import io.starling.TestModels;
import io.starling.gguf.GgufFile;
import io.starling.sampling.LogSoftmax;
import io.starling.tensor.MatMul;

/**
 * Diagnostic, not a test: decodes each named golden file as llama-server did (prompt prefill, then one token at a
 * time along golden's tokens) and prints, per step, the largest deviation of golden's top-5 logprobs from ours.
 * Run with {@code java -cp target/test-classes:target/classes:... io.starling.model.GoldenDeviationDump FILE...}.
 */
public final class GoldenDeviationDump {
    private GoldenDeviationDump() {
    }

    public static void main(String[] args) throws Exception {
        try (MatMul matMul = new MatMul(1)) {
            boolean batched = Boolean.getBoolean("batched");
            for (String file : args) {
                Golden golden = Golden.of(file);
                if (batched) {
                    dumpBatched(matMul, file, golden);
                    continue;
                }
                try (GgufFile gguf = GgufFile.open(TestModels.file(file))) {
                    LlamaModel model = LlamaModel.load(gguf, matMul);
                    int[] prompt = golden.promptTokens();
                    int[] generated = golden.generatedTokens();
                    KvStore kv = model.newKvStore(prompt.length + generated.length);
                    Logits logits = model.forward(Batch.single(kv, 0, prompt, Batch.Outputs.LAST));
                    StringBuilder line = new StringBuilder(file).append('\n');
                    for (int step = 0; step < generated.length; step++) {
                        int offset = logits.offset(0);
                        double logSum = LogSoftmax.logSumExp(logits.array(), offset, logits.vocabSize());
                        double worst = 0;
                        for (Golden.TokenLogprob e : golden.top5().get(step)) {
                            worst = Math.max(worst, Math.abs(logits.array()[offset + e.id()] - logSum - e.logprob()));
                        }
                        line.append("%d:%.5f ".formatted(step, worst));
                        logits = model.forward(Batch.single(kv, prompt.length + step, new int[] {generated[step]},
                                Batch.Outputs.LAST));
                    }
                    System.out.println(line);
                }
            }
        }
    }

    /** The same, with prompt and golden's tokens in one batch (every position's logits at once). */
    private static void dumpBatched(MatMul matMul, String file, Golden golden) throws Exception {
        try (GgufFile gguf = GgufFile.open(TestModels.file(file))) {
            LlamaModel model = LlamaModel.load(gguf, matMul);
            int[] all = golden.allTokens();
            Logits logits = model.forward(Batch.single(model.newKvStore(all.length), 0, all, Batch.Outputs.ALL));
            int prompt = golden.promptTokens().length;
            double fileWorst = 0;
            StringBuilder line = new StringBuilder(file).append(" batched\n");
            for (int step = 0; step < golden.generatedTokens().length; step++) {
                int offset = logits.offset(prompt - 1 + step);
                double logSum = LogSoftmax.logSumExp(logits.array(), offset, logits.vocabSize());
                double worst = 0;
                for (Golden.TokenLogprob e : golden.top5().get(step)) {
                    worst = Math.max(worst, Math.abs(logits.array()[offset + e.id()] - logSum - e.logprob()));
                }
                fileWorst = Math.max(fileWorst, worst);
                line.append("%d:%.5f ".formatted(step, worst));
            }
            System.out.println(line.append("\nworst ").append("%.5f".formatted(fileWorst)));
        }
    }
}
