package dev.tide.tests.server;

import dev.tide.server.TideServerOptions;
import io.vertx.core.Vertx;

/** {@link WebSocketContractTest} against the PostgreSQL store: the same contract. */
class PgWebSocketContractTest extends WebSocketContractTest {

  @Override
  ServerFixture start(Vertx vertx, TideServerOptions options) {
    return startOnPostgres(vertx, options);
  }
}
