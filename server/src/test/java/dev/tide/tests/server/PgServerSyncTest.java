package dev.tide.tests.server;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.BeforeEach;

/** {@link ServerSyncTest} against the PostgreSQL store: the same contract. */
class PgServerSyncTest extends ServerSyncTest {

  @BeforeEach
  @Override
  void start(Vertx vertx) {
    server = ServerFixture.startOnPostgres(vertx);
  }
}
