package io.starling.api.health;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same checks against the packaged application, started the way users start it. */
@QuarkusIntegrationTest
class HealthResourceIT extends HealthResourceTest {
}
