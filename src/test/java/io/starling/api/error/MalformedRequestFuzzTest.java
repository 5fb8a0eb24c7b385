package io.starling.api.error;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A corpus of broken and hostile bodies against every POST endpoint: each must be answered 4xx with the OpenAI error
 * body (never 5xx), and the server must still be ready afterwards. Then seeded soups of every field the endpoints
 * know, each with a value of a random type or range, which may be valid or not: never a 5xx either.
 */
@QuarkusTest
class MalformedRequestFuzzTest {

    static final List<String> ENDPOINTS = List.of("/v1/chat/completions", "/v1/completions", "/v1/embeddings",
            "/v1/tokenize", "/v1/detokenize", "/v1/generate");

    /** Bodies no endpoint may accept. */
    static List<byte[]> malformed() {
        List<String> bodies = new ArrayList<>(List.of(
                "", " ", "{", "}", "[]", "[", "null", "true", "1", "\"str\"", "{\"a\":}", "{'a':1}", "{\"a\" 1}",
                "{} {}", "{\"model\":\"x\"} trailing", "{\"max_tokens\":NaN}", "{\"temperature\":Infinity}",
                "{\"messages\":null,\"prompt\":null,\"input\":null,\"text\":null,\"tokens\":null}",
                "{\"messages\":\"hi\",\"prompt\":{},\"input\":{},\"text\":[],\"tokens\":\"1\"}",
                "{\"messages\":[null],\"prompt\":[],\"input\":[],\"text\":1,\"tokens\":{}}",
                "{\"messages\":[{}],\"prompt\":[[]],\"input\":[[]],\"text\":{},\"tokens\":[-1]}",
                "{\"messages\":[{\"role\":\"user\"}],\"prompt\":[-1],\"input\":[-1],\"tokens\":[999999999]}",
                "{\"messages\":[{\"role\":\"user\",\"content\":{\"x\":1}}],\"prompt\":[1.5],\"input\":[1.5],\"tokens\":[1.5]}",
                "{\"messages\":[{\"role\":\"x\",\"content\":\"hi\"}],\"prompt\":[99999999999999],\"input\":[true]}",
                "{\"messages\":[{\"role\":7,\"content\":\"hi\"}],\"prompt\":[\"a\",7],\"input\":[\"a\",{}],\"tokens\":[\"a\"]}",
                "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\"}]}],\"prompt\":\"x\",\"input\":{},\"max_tokens\":-5}",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"prompt\":\"x\",\"max_tokens\":1e309,\"text\":5}",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"prompt\":\"x\",\"max_tokens\":99999999999999999999999}",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"prompt\":\"x\",\"max_tokens\":2147483647,\"input\":\"x\",\"encoding_format\":\"hex\"}",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"prompt\":\"x\",\"temperature\":-1,\"input\":\"x\",\"dimensions\":3}",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"prompt\":\"x\",\"temperature\":\"0.5\",\"input\":\"x\",\"model\":\"none\"}",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"prompt\":\"x\",\"top_p\":1.5,\"input\":5}",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"prompt\":\"x\",\"n\":0,\"input\":[[1e20]],\"tokens\":[1e20]}",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"prompt\":\"x\",\"n\":100000,\"input\":null,\"tokens\":\"1\"}",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"prompt\":\"x\",\"stop\":[1,2],\"input\":false}",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"prompt\":\"x\",\"stop\":{\"a\":1},\"input\":{}}",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"prompt\":\"x\",\"logprobs\":99,\"top_logprobs\":-1,\"input\":[]}",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"prompt\":\"x\",\"top_logprobs\":50,\"logprobs\":true,\"input\":[[]]}",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"prompt\":\"x\",\"stream\":\"yes\",\"input\":[-3]}",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"prompt\":\"x\",\"seed\":\"abc\",\"input\":[1,-3]}",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"prompt\":\"x\",\"model\":123,\"input\":\"x\"}",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"prompt\":\"x\",\"model\":\"gpt-4\",\"input\":\"x\"}",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"prompt\":\"x\",\"frequency_penalty\":9,\"input\":[[1,2],\"x\",[]]}",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"prompt\":\"x\",\"max_tokens\":100000,\"input\":\""
                        + "word ".repeat(3000) + "\"}",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"prompt\":\"x\",\"stream_options\":{\"include_usage\":3},\"input\":0,\"tokens\":0}",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"prompt\":\"x\",\"repetition_penalty\":0,\"input\":[]}",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"prompt\":\"x\",\"top_k\":-7,\"input\":[]}"));
        bodies.add("{\"prompt\":" + "[".repeat(5000) + "]".repeat(5000) + "}");
        bodies.add("{\"a\":" + "{\"a\":".repeat(3000) + "1" + "}".repeat(3001));
        List<byte[]> out = new ArrayList<>(bodies.stream().map(b -> b.getBytes(StandardCharsets.UTF_8)).toList());
        // invalid UTF-8 inside a string and in the structure
        out.add(concat("{\"prompt\":\"", new byte[] {(byte) 0xff, (byte) 0xfe, (byte) 0xc3}, "\",\"text\":\"", new byte[] {(byte) 0xc3, 0x28}, "\"}"));
        out.add(concat("{\"messages\":[{\"role\":\"user\",\"content\":\"", new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, "\"}]}"));
        out.add(new byte[] {(byte) 0xff, (byte) 0xff, 0, 0, 1, 2});
        Random random = new Random(6);
        for (int i = 0; i < 20; i++) {
            byte[] noise = new byte[1 + random.nextInt(200)];
            random.nextBytes(noise);
            noise[0] = '{';
            out.add(noise);
        }
        return out;
    }

    @Test
    void everyMalformedBodyIs4xxOnEveryEndpointAndTheServerStaysReady() {
        List<String> failures = new ArrayList<>();
        for (String endpoint : ENDPOINTS) {
            for (byte[] body : malformed()) {
                Response response = given().contentType(ContentType.JSON).body(body).post(endpoint);
                int status = response.statusCode();
                String preview = new String(body, 0, Math.min(body.length, 120), StandardCharsets.UTF_8);
                if (status < 400 || status >= 500) {
                    failures.add(endpoint + " " + status + " for " + preview);
                } else if (response.jsonPath().getString("error.message") == null) {
                    failures.add(endpoint + " " + status + " without an OpenAI error body for " + preview);
                }
            }
        }
        assertThat(failures).as(String.join("\n", failures)).isEmpty();
        given().get("/ready").then().statusCode(200);
    }

    /** Closing needs a session id, so none of these bodies can succeed (creating ignores unknown fields, by rule). */
    @Test
    void malformedBodiesNeverCloseASession() {
        List<String> failures = new ArrayList<>();
        for (byte[] body : malformed()) {
            int status = given().contentType(ContentType.JSON).body(body).post("/v1/session/close").statusCode();
            if (status < 400 || status >= 500) {
                failures.add(status + " for " + new String(body, StandardCharsets.UTF_8));
            }
        }
        assertThat(failures).as(String.join("\n", failures)).isEmpty();
    }

    @Test
    void oddButValidBodiesAreNeverAServerError() {
        List<String> odd = List.of(
                "{\"prompt\":\"\\ud800 lone surrogate\",\"max_tokens\":2,\"messages\":[{\"role\":\"user\",\"content\":\"\\udfff\"}],"
                        + "\"text\":\"\\ud800\",\"tokens\":[1],\"input\":\"\\ud800\"}",
                "{\"prompt\":\"\\u0000\",\"max_tokens\":2,\"messages\":[{\"role\":\"user\",\"content\":\"\\u0000<|im_end|>\"}],"
                        + "\"text\":\"<s></s>\",\"tokens\":[0,1,2],\"input\":\"\"}",
                "{\"prompt\":\"\",\"max_tokens\":0,\"messages\":[{\"role\":\"assistant\",\"content\":\"\"}],\"text\":\"\",\"tokens\":[],\"input\":[\"\"]}",
                "{\"prompt\":\"x\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"text\":\"x\",\"tokens\":[5],"
                        + "\"input\":\"x\",\"temperature\":2,\"top_p\":0,\"top_k\":1000000,\"seed\":-9223372036854775808,"
                        + "\"frequency_penalty\":-2,\"presence_penalty\":2,\"repetition_penalty\":100,\"n\":16,\"stop\":[\"\"]}");
        for (String endpoint : ENDPOINTS) {
            for (String body : odd) {
                int status = given().contentType(ContentType.JSON).body(body).post(endpoint).statusCode();
                assertThat(status).as(endpoint + " " + body).isLessThan(500);
            }
        }
        given().get("/ready").then().statusCode(200);
    }

    /** Every field any endpoint reads, and a few it does not. */
    static final List<String> FIELDS = List.of("model", "messages", "prompt", "input", "text", "tokens", "max_tokens",
            "max_completion_tokens", "temperature", "top_p", "top_k", "n", "stop", "seed", "presence_penalty",
            "frequency_penalty", "repetition_penalty", "logprobs", "top_logprobs", "stream", "stream_options", "echo",
            "user", "best_of", "suffix", "logit_bias", "response_format", "tools", "tool_choice", "encoding_format",
            "dimensions", "add_special_tokens", "parse_special", "session_id", "functions", "audio", "prediction",
            "x_unknown", "");

    /** A random JSON value: any type, boundary numbers, odd strings, nested shapes that look like messages. */
    static String value(Random random, int depth) {
        return switch (random.nextInt(depth > 2 ? 9 : 13)) {
            case 0 -> "null";
            case 1 -> random.nextBoolean() ? "true" : "false";
            case 2 -> Integer.toString(List.of(-1, 0, 1, 2, 3, 16, 17, 20, 21, 511, 512, 513).get(random.nextInt(12)));
            case 3 -> List.of("-2147483648", "2147483647", "9223372036854775807", "-9223372036854775809", "1e308",
                    "-0.0", "1e-320", "123456789012345678901234567890").get(random.nextInt(8));
            case 4 -> Double.toString(random.nextDouble() * 6 - 3);
            case 5 -> "\"" + List.of("", "Once upon a time", "stories260K-Q8_0", "user", "assistant", "system",
                    "text", "float", "base64", "\\ud800", "<|im_start|>", "\\u0000", "é漢😀", "json_object",
                    "none", "auto").get(random.nextInt(16)) + "\"";
            case 6 -> "\"" + "x".repeat(random.nextInt(600)) + "\"";
            case 7 -> "[" + random.ints(random.nextInt(6), -3, 600).mapToObj(Integer::toString)
                    .collect(java.util.stream.Collectors.joining(",")) + "]";
            case 8 -> "{}";
            case 9, 10 -> {
                StringBuilder array = new StringBuilder("[");
                for (int i = random.nextInt(4); i > 0; i--) {
                    array.append(array.length() > 1 ? "," : "").append(value(random, depth + 1));
                }
                yield array.append(']').toString();
            }
            default -> {
                String role = List.of("\"user\"", "\"system\"", "\"assistant\"", "\"tool\"", "7", "null")
                        .get(random.nextInt(6));
                yield "{\"role\":" + role + ",\"content\":" + value(random, depth + 1) + ",\"type\":\"text\","
                        + "\"text\":" + value(random, depth + 1) + ",\"include_usage\":" + value(random, depth + 1) + "}";
            }
        };
    }

    /** A valid body per endpoint, the starting point of its soups. */
    static final java.util.Map<String, String> VALID = java.util.Map.of(
            "/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}",
            "/v1/completions", "{\"prompt\":\"Once upon a time\"}",
            "/v1/embeddings", "{\"input\":\"Once upon a time\"}",
            "/v1/tokenize", "{\"text\":\"Once upon a time\"}",
            "/v1/detokenize", "{\"tokens\":[1,403,407]}",
            "/v1/generate", "{\"prompt\":\"Once upon a time\"}");

    /**
     * The endpoint's valid body with one to four fields set to random values (some valid, most not), so soups
     * reach the engine as well as the validators. Generation is kept short whatever the soup says (max_tokens and n
     * are small or invalid), so the corpus runs in seconds.
     */
    static String soup(Random random, String endpoint) {
        String valid = VALID.get(endpoint);
        StringBuilder body = new StringBuilder(valid.substring(0, valid.length() - 1));
        boolean bounded = false;
        for (int i = 1 + random.nextInt(4); i > 0; i--) {
            String field = FIELDS.get(random.nextInt(FIELDS.size()));
            bounded |= field.startsWith("max_");
            String value = switch (field) {
                case "max_tokens", "max_completion_tokens" -> List.of("0", "1", "3", "-1", "\"2\"", "null", "1.5")
                        .get(random.nextInt(7));
                case "n" -> List.of("1", "2", "0", "17", "-1", "\"2\"").get(random.nextInt(6));
                default -> value(random, 0);
            };
            // a repeated field: Jackson keeps the last, as most JSON readers do
            body.append(",\"").append(field).append("\":").append(value);
        }
        if (!bounded) {
            body.append(",\"max_tokens\":").append(1 + random.nextInt(3));
        }
        return body.append('}').toString();
    }

    @Test
    void randomFieldSoupsAreNeverAServerError() {
        long seed = 20261125;
        Random random = new Random(seed);
        List<String> failures = new ArrayList<>();
        java.util.Map<String, Integer> accepted = new java.util.TreeMap<>();
        for (int i = 0; i < 20; i++) {
            for (String endpoint : ENDPOINTS) {
                String body = soup(random, endpoint);
                Response response = given().contentType(ContentType.JSON).body(body).post(endpoint);
                int status = response.statusCode();
                if (status < 300) {
                    accepted.merge(endpoint, 1, Integer::sum);
                }
                if (status >= 500) {
                    failures.add(endpoint + " " + status + " for " + body);
                } else if (status >= 400 && response.jsonPath().getString("error.message") == null) {
                    failures.add(endpoint + " " + status + " without an OpenAI error body for " + body);
                }
            }
        }
        assertThat(failures).as("seed " + seed + "\n" + String.join("\n", failures)).isEmpty();
        // the soups get past validation too, or they would only test the validators
        assertThat(accepted.keySet()).as("endpoints that accepted some soup: " + accepted).hasSize(ENDPOINTS.size());
        given().get("/ready").then().statusCode(200);
    }

    @Test
    void oddRoutesMethodsAndMediaTypesAre4xx() {
        List<String> failures = new ArrayList<>();
        for (String endpoint : ENDPOINTS) {
            check(failures, "GET " + endpoint, given().get(endpoint));
            check(failures, "PUT " + endpoint, given().contentType(ContentType.JSON).body("{}").put(endpoint));
            check(failures, "text/plain " + endpoint, given().contentType(ContentType.TEXT).body("{}").post(endpoint));
            check(failures, "no type " + endpoint, given().body(new byte[] {'{', '}'}).post(endpoint));
        }
        for (String path : List.of("/v1/models/%2e%2e", "/v1/models/" + "m".repeat(3000), "/v1/nothing", "/v1/models/x/y")) {
            check(failures, "GET " + path, given().urlEncodingEnabled(false).get(path));
        }
        check(failures, "DELETE /v1/models", given().delete("/v1/models"));
        assertThat(failures).as(String.join("\n", failures)).isEmpty();
        given().get("/ready").then().statusCode(200);
    }

    private static void check(List<String> failures, String what, Response response) {
        if (response.statusCode() < 400 || response.statusCode() >= 500) {
            failures.add(what + ": " + response.statusCode());
        }
    }

    private static byte[] concat(Object... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (Object part : parts) {
            byte[] bytes = part instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : (byte[]) part;
            out.writeBytes(bytes);
        }
        return out.toByteArray();
    }
}
