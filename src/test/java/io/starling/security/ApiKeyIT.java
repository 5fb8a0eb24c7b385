package io.starling.security;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same requests against the packaged application, started the way users start it. */
@QuarkusIntegrationTest
class ApiKeyIT extends ApiKeyTest {
}
