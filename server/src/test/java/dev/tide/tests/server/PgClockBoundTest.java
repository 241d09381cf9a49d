package dev.tide.tests.server;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.BeforeEach;

/** {@link ClockBoundTest} against the PostgreSQL store: the same contract. */
class PgClockBoundTest extends ClockBoundTest {

  @BeforeEach
  @Override
  void start(Vertx vertx) {
    server = ServerFixture.startOnPostgres(vertx);
  }
}
