package io.starling.api.openai;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same requests against the packaged application, started the way users start it. */
@QuarkusIntegrationTest
class EmbeddingsResourceIT extends EmbeddingsResourceTest {
}
