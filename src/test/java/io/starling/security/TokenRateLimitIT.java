package io.starling.security;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same limits in the packaged application, configured as an operator configures it. */
@QuarkusIntegrationTest
class TokenRateLimitIT extends TokenRateLimitTest {
}
