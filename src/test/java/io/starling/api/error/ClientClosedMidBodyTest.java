package io.starling.api.error;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.starling.telemetry.Prometheus;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A client that goes away in the middle of sending its body is not a server fault: no 500 in the request metrics
 * (which alerting watches), and the server keeps answering.
 */
@QuarkusTest
class ClientClosedMidBodyTest {

    private static final String URI = "/v1/tokenize";
    private static final int CUT_SHORT = 10;

    @Test
    void aBodyCutShortByTheClientCountsAsAClientError() throws Exception {
        double serverErrors = requests("SERVER_ERROR");
        double clientErrors = requests("CLIENT_ERROR");
        for (int i = 0; i < CUT_SHORT; i++) {
            try (Socket socket = new Socket("127.0.0.1", RestAssured.port)) {
                OutputStream out = socket.getOutputStream();
                out.write(("POST " + URI + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 500\r\n\r\n{\"text\":\"Once upon a ti").getBytes(StandardCharsets.UTF_8));
                out.flush();
                Thread.sleep(100);
            }
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        // Vert.x may record such a request twice: the reset connection, and the answer nobody reads
        while (requests("CLIENT_ERROR") < clientErrors + CUT_SHORT && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(requests("CLIENT_ERROR")).as("client errors on " + URI).isGreaterThanOrEqualTo(clientErrors + CUT_SHORT);
        assertThat(requests("SERVER_ERROR")).as("server errors on " + URI).isEqualTo(serverErrors);
        RestAssured.given().contentType("application/json").body("{\"text\":\"Once upon a time\"}").post(URI)
                .then().statusCode(200);
    }

    /** Requests to {@link #URI} recorded with {@code outcome}, whatever their status. */
    private static double requests(String outcome) {
        Matcher m = Pattern.compile("(?m)^http_server_requests_seconds_count\\{([^}]*)} (\\S+)").matcher(Prometheus.scrape());
        double sum = 0;
        while (m.find()) {
            if (m.group(1).contains("outcome=\"" + outcome + "\"") && m.group(1).contains("uri=\"" + URI + "\"")) {
                sum += Double.parseDouble(m.group(2));
            }
        }
        return sum;
    }
}
