package io.starling.api.error;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same requests against the packaged application, started the way users start it. */
@QuarkusIntegrationTest
class ErrorResponsesIT extends ErrorResponsesTest {
}
