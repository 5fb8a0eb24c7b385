package io.starling.api.pipeline;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import io.starling.telemetry.InMemorySpans;
import io.starling.telemetry.Prometheus;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** /v1/pipelines on the embedded stories260K model, each answer checked against the plain endpoints' own. */
@QuarkusTest
@TestProfile(PipelineProfile.class)
class PipelinesResourceTest {

    private static final List<String> MOOD_LABELS = List.of("happy", "sad", "angry");

    @Test
    void likelihoodClassificationIsTheSoftmaxOfTheLabelsLogprobsScoredByTheEngine() {
        String input = "Tom found a big red ball in the park.";
        JsonPath json = run("mood", "{\"input\":" + quote(input) + "}").statusCode(200)
                .body("object", equalTo("pipeline.result"))
                .body("pipeline", equalTo("mood"))
                .body("data", hasSize(1))
                .body("data[0].stages.tokenize.count", equalTo(tokenize(input).size()))
                .body("data[0].stages.embed", nullValue()) // vectors are shown only when asked
                .extract().jsonPath();
        String classified = json.getString("data[0].stages.classify.label");
        double confidence = json.getDouble("data[0].stages.classify.confidence");
        assertThat(classified).isIn(MOOD_LABELS);
        assertThat(confidence).isBetween(0.0, 1.0);

        // independently: each label's summed logprob from /v1/completions echo, the label's tokens from /v1/tokenize
        String prompt = PipelineProfile.TEMPLATE.replace("{input}", input);
        int promptTokens = tokenize(prompt).size();
        double[] sums = new double[MOOD_LABELS.size()];
        for (int l = 0; l < sums.length; l++) {
            String scored = prompt + " " + MOOD_LABELS.get(l);
            List<Float> logprobs = given().contentType(ContentType.JSON)
                    .body("{\"prompt\":" + quote(scored) + ",\"max_tokens\":0,\"echo\":true,\"logprobs\":0}")
                    .post("/v1/completions").then().statusCode(200).extract().jsonPath()
                    .getList("choices[0].logprobs.token_logprobs", Float.class);
            assertThat(tokenize(scored).subList(0, promptTokens)).isEqualTo(tokenize(prompt));
            for (int t = promptTokens; t < logprobs.size(); t++) {
                sums[l] += logprobs.get(t);
            }
        }
        double[] expected = softmax(sums);
        int best = argmax(expected);
        assertThat(classified).isEqualTo(MOOD_LABELS.get(best));
        assertThat(confidence).isCloseTo(expected[best], within(1e-4));
        for (int l = 0; l < expected.length; l++) {
            assertThat(json.getDouble("data[0].stages.classify.scores." + MOOD_LABELS.get(l))).isCloseTo(expected[l], within(1e-4));
        }
        // postprocess renames; the top level carries the final label and the classifier's confidence
        String renamed = Map.of("happy", "positive", "sad", "negative", "angry", "angry").get(classified);
        assertThat(json.getString("data[0].label")).isEqualTo(renamed);
        assertThat(json.getString("data[0].stages.postprocess.classified_as")).isEqualTo(classified);
        assertThat(json.getDouble("data[0].confidence")).isCloseTo(expected[best], within(1e-4));
        assertThat(json.getInt("usage.prompt_tokens")).isPositive();
    }

    @Test
    void severalInputsAnswerInOrderAndTheConfidenceHistogramMoves() {
        double before = sample(Prometheus.scrape(), "starling_prediction_confidence_count", "pipeline=\"mood\"");
        JsonPath json = run("mood", "{\"input\":[\"Lily cried.\",\"Tom laughed and played.\",\"Lily cried.\"],"
                + "\"outputs\":[\"classify\"]}").statusCode(200)
                .body("data", hasSize(3))
                .body("data[2].index", equalTo(2))
                .body("data[0].stages.tokenize", nullValue())
                .extract().jsonPath();
        assertThat(json.getString("data[2].stages.classify.label")).isEqualTo(json.getString("data[0].stages.classify.label"));
        String metrics = Prometheus.scrape();
        double after = sample(metrics, "starling_prediction_confidence_count", "pipeline=\"mood\"");
        assertThat(after - before).isEqualTo(3); // one per classified input, the repeated one included
        assertThat(metrics).containsPattern("starling_drift_score\\{[^}]*pipeline=\"mood\"[^}]*signal=\"label\"");
    }

    @Test
    void embeddingClassificationIsTheSoftmaxOfCosinesOverTheTemperature() {
        List<String> labels = List.of("a big dog", "the sun in the sky", "a little girl");
        String input = "The dog barked at the cat.";
        JsonPath json = run("nearest", "{\"input\":" + quote(input) + ",\"outputs\":[\"embed\",\"classify\"]}")
                .statusCode(200).extract().jsonPath();
        List<Float> vector = embedding(input);
        assertThat(json.getList("data[0].stages.embed.embedding", Float.class)).isEqualTo(vector);
        double[] logits = new double[labels.size()];
        for (int l = 0; l < logits.length; l++) {
            logits[l] = cosine(vector, embedding(labels.get(l))) / 0.1;
        }
        double[] expected = softmax(logits);
        assertThat(json.getString("data[0].label")).isEqualTo(labels.get(argmax(expected)));
        assertThat(json.getDouble("data[0].confidence")).isCloseTo(expected[argmax(expected)], within(1e-4));
    }

    @Test
    void generateThenExtractTakesTheRegexGroupOfTheGreedyCompletion() {
        String input = "there was a cat.";
        String before = Prometheus.scrape();
        JsonPath json = run("story", "{\"input\":" + quote(input) + "}").statusCode(200).extract().jsonPath();
        String after = Prometheus.scrape();
        // the pipeline records its generation once, under its own name, not as a plain generation too
        assertThat(sample(after, "starling_prediction_confidence_count", "pipeline=\"story\"")
                - sample(before, "starling_prediction_confidence_count", "pipeline=\"story\"")).isEqualTo(1);
        assertThat(sample(after, "starling_prediction_confidence_count", "pipeline=\"none\""))
                .isEqualTo(sample(before, "starling_prediction_confidence_count", "pipeline=\"none\""));
        String completion = given().contentType(ContentType.JSON)
                .body("{\"prompt\":" + quote("Once upon a time, " + input) + ",\"max_tokens\":12,\"temperature\":0}")
                .post("/v1/completions").then().statusCode(200).extract().path("choices[0].text");
        assertThat(json.getString("data[0].stages.generate.text")).isEqualTo(completion);
        Matcher match = Pattern.compile("([A-Za-z]+)\\.").matcher(completion);
        if (match.find()) {
            assertThat(json.getString("data[0].stages.extract.value")).isEqualTo(match.group(1));
            assertThat(json.getString("data[0].text")).isEqualTo(match.group(1));
        } else {
            assertThat(json.getBoolean("data[0].stages.extract.found")).isFalse();
        }
        assertThat(json.getDouble("data[0].stages.generate.mean_token_probability")).isBetween(0.0, 1.0);
        assertThat(json.getString("data[0].label")).isNull();
    }

    @Test
    void aRepeatedInputIsAnsweredFromTheCache() {
        String body = "{\"input\":\"Sue baked a cake for her mom.\"}";
        String metrics = Prometheus.scrape();
        double hits = sample(metrics, "starling_pipeline_cache_requests_total", "pipeline=\"mood\"", "stage=\"classify\"", "result=\"hit\"");
        double misses = sample(metrics, "starling_pipeline_cache_requests_total", "pipeline=\"mood\"", "stage=\"classify\"", "result=\"miss\"");
        JsonPath first = run("mood", body).statusCode(200).extract().jsonPath();
        JsonPath second = run("mood", body).statusCode(200).extract().jsonPath();
        metrics = Prometheus.scrape();
        assertThat(sample(metrics, "starling_pipeline_cache_requests_total", "pipeline=\"mood\"", "stage=\"classify\"", "result=\"miss\"")).isEqualTo(misses + 1);
        assertThat(sample(metrics, "starling_pipeline_cache_requests_total", "pipeline=\"mood\"", "stage=\"classify\"", "result=\"hit\"")).isEqualTo(hits + 1);
        assertThat(second.getDouble("data[0].confidence")).isEqualTo(first.getDouble("data[0].confidence"));
        assertThat(first.getInt("usage.prompt_tokens")).isPositive();
        assertThat(second.getInt("usage.prompt_tokens")).isZero(); // nothing ran on the engine
        assertThat(sample(metrics, "starling_pipeline_stage_duration_seconds_count", "pipeline=\"mood\"", "stage=\"classify\"")).isPositive();
        assertThat(sample(metrics, "starling_requests_total", "endpoint=\"/v1/pipelines/{name}\"", "status=\"200\"")).isPositive();
    }

    @Inject
    InMemorySpanExporter exporter;

    @Test
    void everyStageIsASpanOfTheRequestsTrace() {
        String traceId = "5bf92f3577b34da6a3ce929d0e0e4737";
        given().header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01").contentType(ContentType.JSON)
                .body("{\"input\":\"The bird sang.\"}").post("/v1/pipelines/mood").then().statusCode(200);
        List<String> stages = List.of("pipeline.tokenize", "pipeline.embed", "pipeline.classify", "pipeline.postprocess");
        // the server span ends after the response is written: wait for it as well as the stages
        List<SpanData> trace = InMemorySpans.await(exporter, all -> all.stream()
                .filter(span -> span.getTraceId().equals(traceId)).map(SpanData::getName).toList().containsAll(stages)
                && all.stream().anyMatch(span -> span.getTraceId().equals(traceId) && span.getKind() == SpanKind.SERVER));
        SpanData http = trace.stream().filter(span -> span.getTraceId().equals(traceId))
                .filter(span -> span.getKind() == SpanKind.SERVER).findFirst().orElseThrow();
        for (String stage : stages) {
            SpanData span = trace.stream().filter(s -> s.getTraceId().equals(traceId) && s.getName().equals(stage))
                    .findFirst().orElseThrow();
            assertThat(span.getParentSpanId()).as(stage + " parent").isEqualTo(http.getSpanId());
        }
    }

    @Test
    void listsThePipelines() {
        given().get("/v1/pipelines").then().statusCode(200)
                .body("object", equalTo("list"))
                .body("data.id", org.hamcrest.Matchers.containsInAnyOrder("mood", "nearest", "story"))
                .body("data.find { it.id == 'mood' }.stages", org.hamcrest.Matchers.contains("tokenize", "embed", "classify", "postprocess"));
    }

    @Test
    void unknownPipelinesAndBadInputAreOpenAiStyle4xx() {
        run("nope", "{\"input\":\"x\"}").statusCode(404)
                .body("error.code", equalTo("pipeline_not_found"))
                .body("error.type", equalTo("invalid_request_error"))
                .body("error.message", containsString("mood"));
        run("mood", "{}").statusCode(400).body("error.param", equalTo("input"));
        run("mood", "{\"input\":[\"a\",3]}").statusCode(400).body("error.param", equalTo("input[1]"));
        run("mood", "{\"input\":[]}").statusCode(400).body("error.param", equalTo("input"));
        run("mood", "{\"input\":\"\"}").statusCode(400).body("error.param", equalTo("input"));
        run("mood", "{\"input\":" + java.util.Collections.nCopies(65, "\"x\"") + "}").statusCode(400)
                .body("error.message", containsString("at most 64 inputs"));
        run("mood", "{\"input\":\"x\",\"outputs\":[\"generate\"]}").statusCode(400).body("error.param", equalTo("outputs"));
        run("mood", "{\"input\":\"x\",\"outputs\":\"classify\"}").statusCode(400);
        run("mood", "not json").statusCode(400);
        run("mood", "{\"input\":" + quote("word ".repeat(600)) + "}").statusCode(400)
                .body("error.code", equalTo("context_length_exceeded"));
    }

    // --- helpers

    private static ValidatableResponse run(String pipeline, String body) {
        return given().contentType(ContentType.JSON).body(body).post("/v1/pipelines/" + pipeline).then();
    }

    private static List<Integer> tokenize(String text) {
        return given().contentType(ContentType.JSON).body("{\"text\":" + quote(text) + "}")
                .post("/v1/tokenize").then().statusCode(200).extract().jsonPath().getList("tokens", Integer.class);
    }

    private static List<Float> embedding(String text) {
        return given().contentType(ContentType.JSON).body("{\"input\":" + quote(text) + "}")
                .post("/v1/embeddings").then().statusCode(200).extract().jsonPath().getList("data[0].embedding", Float.class);
    }

    private static String quote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }

    private static double[] softmax(double[] logits) {
        double max = java.util.Arrays.stream(logits).max().orElseThrow();
        double sum = 0;
        double[] out = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            out[i] = Math.exp(logits[i] - max);
            sum += out[i];
        }
        for (int i = 0; i < out.length; i++) {
            out[i] /= sum;
        }
        return out;
    }

    private static int argmax(double[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }

    private static double cosine(List<Float> a, List<Float> b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.size(); i++) {
            dot += a.get(i) * b.get(i);
            na += a.get(i) * a.get(i);
            nb += b.get(i) * b.get(i);
        }
        return dot / Math.sqrt(na * nb);
    }

    /** The sum of the samples of {@code name} whose labels contain all of {@code labels} (0 when none). */
    static double sample(String metrics, String name, String... labels) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{(.*?)} (\\S+)(?: # .*)?$").matcher(metrics);
        double sum = 0;
        while (m.find()) {
            String found = m.group(1);
            if (java.util.Arrays.stream(labels).allMatch(found::contains)) {
                sum += Double.parseDouble(m.group(2));
            }
        }
        return sum;
    }
}
