package io.starling.perf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Streaming clients against a running server on loopback: for each concurrency level, that many clients each send
 * greedy streams one after another, bounded by a request count and a time limit. Reports aggregate tokens/s, time
 * to first token and inter-token latency (p50/p95), and checks every stream against its prompt's greedy
 * continuation, measured alone first.
 *
 * <p>With {@code --api starling} (the default) the streams are Starling's {@code /v1/generate}, whose events carry
 * token ids and logprobs: a failed stream (HTTP error, error event, no final event) or a mixed-up one makes the run
 * exit 1, and a stream that leaves the reference only where the reference's token was within {@link #NEAR_TIE} of
 * the one chosen (by the stream's own top-5 logprobs) took the other side of a near tie (wider batches round
 * differently in the quantized kernels): it is counted apart, and is no failure.
 *
 * <p>With {@code --api openai} the streams are OpenAI {@code /v1/completions} (with {@code include_usage}), which any
 * OpenAI-compatible server speaks, so llama-server can be measured by the same client. Its chunks carry text only,
 * so a stream whose text differs from the reference cannot be told a near tie from a mix-up: it is counted in the
 * same column, and only failed streams fail the run.
 *
 * <pre>perf/load [--url http://127.0.0.1:8080] [--api starling|openai] [--streams 1,2,4,8,16] [--requests 4]
 *           [--seconds 60] [--max-tokens 64] [--api-key KEY]</pre>
 */
public final class LoadGenerator {

    private static final String[] NAMES = {"Lily", "Ben", "Tom", "Sara", "Max", "Mia", "Sam", "Anna", "Jack", "Lucy",
        "Tim", "Emma", "Leo", "Zoe", "Dan", "Amy"};

    /** Log-probability gap under which two candidate tokens count as tied. */
    static final double NEAR_TIE = 0.2;

    /** The protocol the streams speak. */
    enum Api { STARLING, OPENAI }

    private final Api api;
    private final URI endpoint;
    private final String apiKey;
    private final int maxTokens;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper mapper = new ObjectMapper();

    LoadGenerator(Api api, URI base, String apiKey, int maxTokens) {
        this.api = api;
        this.endpoint = base.resolve(api == Api.STARLING ? "/v1/generate" : "/v1/completions");
        this.apiKey = apiKey;
        this.maxTokens = maxTokens;
    }

    /**
     * One finished stream: how many tokens it made, when each arrived, its text and, when the protocol gives them,
     * its token ids and per token its logprob followed by the top candidates (id, logprob, id, logprob…); or why it
     * failed.
     */
    record Stream(int prompt, int tokenCount, String text, int[] tokens, long sentNanos, long[] arrivals, double[][] top,
                  String failure) {
    }

    /** How a stream compares with its prompt's reference. */
    enum Verdict { SAME, NEAR_TIE, DIFFERS, MIXED_UP }

    /** By token ids and logprobs (Starling's protocol). */
    static Verdict compare(Stream stream, int[] reference) {
        int k = Arrays.mismatch(stream.tokens(), reference);
        if (k < 0) {
            return Verdict.SAME;
        }
        if (k >= stream.tokens().length || k >= reference.length) {
            return Verdict.MIXED_UP;
        }
        double[] top = stream.top()[k];
        double chosen = top[0];
        for (int i = 1; i + 1 < top.length; i += 2) {
            if ((int) top[i] == reference[k] && chosen - top[i + 1] <= NEAR_TIE) {
                return Verdict.NEAR_TIE;
            }
        }
        return Verdict.MIXED_UP;
    }

    private Verdict compare(Stream stream, Stream reference) {
        if (api == Api.STARLING) {
            return compare(stream, reference.tokens());
        }
        return stream.text().equals(reference.text()) ? Verdict.SAME : Verdict.DIFFERS;
    }

    public static void main(String[] args) throws Exception {
        URI url = URI.create(option(args, "--url", "http://127.0.0.1:8080"));
        Api api = Api.valueOf(option(args, "--api", "starling").toUpperCase(Locale.ROOT));
        int[] levels = Arrays.stream(option(args, "--streams", "1,2,4,8,16").split(",")).mapToInt(Integer::parseInt).toArray();
        int requests = Integer.parseInt(option(args, "--requests", "4"));
        Duration limit = Duration.ofSeconds(Long.parseLong(option(args, "--seconds", "60")));
        int maxTokens = Integer.parseInt(option(args, "--max-tokens", "64"));
        if (!InetAddress.getByName(url.getHost()).isLoopbackAddress()) {
            System.err.println("perf/load only talks to a server on loopback, not " + url.getHost());
            System.exit(2);
        }
        LoadGenerator load = new LoadGenerator(api, url, option(args, "--api-key", null), maxTokens);
        int width = Arrays.stream(levels).max().orElse(1);
        Stream[] expected = load.references(Math.min(width, NAMES.length));
        System.out.printf(Locale.ROOT, "%s%s, greedy, max_tokens %d, up to %d requests per client or %d s per level%n%n",
                url, load.endpoint.getPath(), maxTokens, requests, limit.toSeconds());
        System.out.println("| streams | ok | near tie | differs | failed | mixed up | tokens | aggregate tok/s | TTFT p50 ms | TTFT p95 ms | ITL p50 ms | ITL p95 ms |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
        boolean bad = false;
        for (int streams : levels) {
            bad |= load.level(streams, requests, limit, expected);
        }
        System.exit(bad ? 1 : 0);
    }

    /** Each prompt's greedy continuation, one stream at a time: what every concurrent stream must reproduce. */
    private Stream[] references(int prompts) {
        Stream[] expected = new Stream[prompts];
        for (int p = 0; p < prompts; p++) {
            expected[p] = stream(p);
            if (expected[p].failure() != null) {
                throw new IllegalStateException("reference stream for prompt " + p + " failed: " + expected[p].failure());
            }
        }
        return expected;
    }

    /** One concurrency level; true when any stream failed or was mixed up. */
    private boolean level(int streams, int requests, Duration limit, Stream[] expected) throws Exception {
        long start = System.nanoTime();
        long end = start + limit.toNanos();
        List<Future<List<Stream>>> clients = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < streams; c++) {
                int prompt = c % expected.length;
                clients.add(pool.submit(() -> {
                    List<Stream> done = new ArrayList<>();
                    for (int r = 0; r < requests && System.nanoTime() < end; r++) {
                        done.add(stream(prompt));
                    }
                    return done;
                }));
            }
            List<Stream> all = new ArrayList<>();
            for (Future<List<Stream>> f : clients) {
                all.addAll(f.get());
            }
            double wall = (System.nanoTime() - start) / 1e9;
            Map<Verdict, Integer> verdicts = new EnumMap<>(Verdict.class);
            int failed = 0;
            long tokens = 0;
            List<Double> ttft = new ArrayList<>();
            List<Double> itl = new ArrayList<>();
            for (Stream s : all) {
                if (s.failure() != null) {
                    failed++;
                    System.err.println("failed stream: " + s.failure());
                    continue;
                }
                Verdict verdict = compare(s, expected[s.prompt()]);
                verdicts.merge(verdict, 1, Integer::sum);
                if (verdict == Verdict.NEAR_TIE || verdict == Verdict.MIXED_UP) {
                    int k = Arrays.mismatch(s.tokens(), expected[s.prompt()].tokens());
                    System.err.printf("%s: prompt %d leaves its reference at token %d: %s%n", verdict, s.prompt(), k,
                            k < s.top().length ? Arrays.toString(s.top()[k]) : "(ended)");
                }
                if (verdict == Verdict.MIXED_UP) {
                    continue;
                }
                tokens += s.tokenCount();
                long[] at = s.arrivals();
                if (at.length > 0) {
                    ttft.add((at[0] - s.sentNanos()) / 1e6);
                }
                for (int i = 1; i < at.length; i++) {
                    itl.add((at[i] - at[i - 1]) / 1e6);
                }
            }
            int mixed = verdicts.getOrDefault(Verdict.MIXED_UP, 0);
            System.out.printf(Locale.ROOT, "| %d | %d | %d | %d | %d | %d | %d | %.1f | %.1f | %.1f | %.1f | %.1f |%n",
                    streams, verdicts.getOrDefault(Verdict.SAME, 0), verdicts.getOrDefault(Verdict.NEAR_TIE, 0),
                    verdicts.getOrDefault(Verdict.DIFFERS, 0), failed, mixed, tokens, tokens / wall,
                    percentile(ttft, 50), percentile(ttft, 95), percentile(itl, 50), percentile(itl, 95));
            return failed + mixed > 0;
        }
    }

    private Stream stream(int prompt) {
        String text = quote("Once upon a time, there was a child named " + NAMES[prompt] + ". One day");
        String body = api == Api.STARLING
                ? "{\"prompt\":" + text + ",\"max_tokens\":" + maxTokens
                        + ",\"temperature\":0,\"logprobs\":true,\"top_logprobs\":5,\"stream\":true}"
                : "{\"prompt\":" + text + ",\"max_tokens\":" + maxTokens
                        + ",\"temperature\":0,\"stream\":true,\"stream_options\":{\"include_usage\":true}}";
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint).timeout(Duration.ofMinutes(5))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (apiKey != null) {
            request.header("Authorization", "Bearer " + apiKey);
        }
        long sent = System.nanoTime();
        try {
            HttpResponse<java.io.InputStream> response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                if (response.statusCode() != 200) {
                    return failed(prompt, sent, "HTTP " + response.statusCode() + ": " + lines.readLine());
                }
                return api == Api.STARLING ? generateEvents(prompt, sent, lines) : completionChunks(prompt, sent, lines);
            }
        } catch (Exception e) {
            return failed(prompt, sent, e.toString());
        }
    }

    private Stream generateEvents(int prompt, long sent, BufferedReader lines) throws IOException {
        List<Integer> tokens = new ArrayList<>();
        List<Long> arrivals = new ArrayList<>();
        List<double[]> top = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        String line;
        while ((line = lines.readLine()) != null) {
            if (!line.startsWith("data: ")) {
                continue;
            }
            JsonNode event = mapper.readTree(line.substring(6));
            if (event.has("error")) {
                return failed(prompt, sent, event.get("error").toString());
            }
            if (event.has("finish_reason")) {
                return new Stream(prompt, tokens.size(), text.toString(), tokens.stream().mapToInt(Integer::intValue).toArray(),
                        sent, arrivals.stream().mapToLong(Long::longValue).toArray(), top.toArray(double[][]::new), null);
            }
            arrivals.add(System.nanoTime());
            tokens.add(event.get("token").asInt());
            text.append(event.path("text").asText());
            JsonNode alternatives = event.path("top_logprobs");
            double[] candidates = new double[1 + 2 * alternatives.size()];
            candidates[0] = event.path("logprob").asDouble();
            for (int i = 0; i < alternatives.size(); i++) {
                candidates[1 + 2 * i] = alternatives.get(i).get("token").asInt();
                candidates[2 + 2 * i] = alternatives.get(i).get("logprob").asDouble();
            }
            top.add(candidates);
        }
        return failed(prompt, sent, "the stream ended without a final event");
    }

    /**
     * OpenAI completion chunks: each chunk with a choice and no finish reason is a token's arrival (both servers send
     * one per token); the token count is the usage chunk's, since a chunk may hold back text.
     */
    private Stream completionChunks(int prompt, long sent, BufferedReader lines) throws IOException {
        List<Long> arrivals = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        boolean finished = false;
        String line;
        while ((line = lines.readLine()) != null) {
            if (!line.startsWith("data: ") || line.equals("data: [DONE]")) {
                continue;
            }
            JsonNode chunk = mapper.readTree(line.substring(6));
            if (chunk.has("error")) {
                return failed(prompt, sent, chunk.get("error").toString());
            }
            JsonNode choice = chunk.path("choices").path(0);
            if (!choice.isMissingNode()) {
                text.append(choice.path("text").asText());
                if (choice.path("finish_reason").isTextual()) {
                    finished = true;
                } else {
                    arrivals.add(System.nanoTime());
                }
            }
            if (chunk.path("usage").has("completion_tokens")) {
                if (!finished) {
                    return failed(prompt, sent, "usage arrived before the choice finished");
                }
                return new Stream(prompt, chunk.get("usage").get("completion_tokens").asInt(), text.toString(), new int[0],
                        sent, arrivals.stream().mapToLong(Long::longValue).toArray(), new double[0][], null);
            }
        }
        return failed(prompt, sent, "the stream ended without a usage chunk");
    }

    private static Stream failed(int prompt, long sent, String why) {
        return new Stream(prompt, 0, "", new int[0], sent, new long[0], new double[0][], why);
    }

    private String quote(String text) {
        try {
            return mapper.writeValueAsString(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static double percentile(List<Double> values, double p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int index = (int) Math.ceil(p / 100 * sorted.length) - 1;
        return sorted[Math.clamp(index, 0, sorted.length - 1)];
    }

    private static String option(String[] args, String name, String fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }
}
