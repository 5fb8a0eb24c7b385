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
 * body (never 5xx), and the server must still be ready afterwards.
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

    private static byte[] concat(Object... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (Object part : parts) {
            byte[] bytes = part instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : (byte[]) part;
            out.writeBytes(bytes);
        }
        return out.toByteArray();
    }
}
