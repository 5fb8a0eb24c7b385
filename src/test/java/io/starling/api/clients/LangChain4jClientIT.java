package io.starling.api.clients;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same requests against the packaged application, started the way users start it. */
@QuarkusIntegrationTest
class LangChain4jClientIT extends LangChain4jClientTest {
}
