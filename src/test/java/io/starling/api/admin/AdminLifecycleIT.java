package io.starling.api.admin;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** Deploy, hot reload under load, drain and the budget against the packaged application. */
@QuarkusIntegrationTest
class AdminLifecycleIT extends AdminLifecycleTest {
}
