package dev.tide.tests.server;

import dev.tide.server.TideServerOptions;
import io.vertx.core.Vertx;

/** {@link ProtocolContractTest} against the PostgreSQL store: the same contract. */
class PgProtocolContractTest extends ProtocolContractTest {

  @Override
  ServerFixture start(Vertx vertx, TideServerOptions options) {
    return startOnPostgres(vertx, options);
  }
}
