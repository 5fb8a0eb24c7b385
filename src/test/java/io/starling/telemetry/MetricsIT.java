package io.starling.telemetry;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same requests against the packaged application, started the way users start it. */
@QuarkusIntegrationTest
class MetricsIT extends MetricsTest {
}
