package io.starling.api.starling;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same requests against the packaged application, started the way users start it. */
@QuarkusIntegrationTest
class TokenizeResourceIT extends TokenizeResourceTest {
}
