package io.starling.telemetry;

import static io.restassured.RestAssured.given;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The running test server's /metrics, and single samples out of it. */
public final class Prometheus {

    private Prometheus() {
    }

    public static String scrape() {
        return given().get("/metrics").then().statusCode(200).extract().asString();
    }

    /**
     * The value of the first sample of {@code name}, whatever its labels (0 before the first observation). A sample
     * may end in an OpenMetrics exemplar ({@code # {trace_id=…} …}): Micrometer adds one when the request was traced.
     */
    public static double value(String metrics, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(?:\\{[^}]*})? (\\S+)(?: # .*)?$").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
