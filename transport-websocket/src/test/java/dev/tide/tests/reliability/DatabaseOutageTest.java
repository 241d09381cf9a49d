package dev.tide.tests.reliability;

import dev.tide.core.Tide;
import dev.tide.server.TideServer;
import dev.tide.server.TideServerOptions;
import dev.tide.server.spi.StoredChange;
import dev.tide.tests.core.FaultProxy;
import dev.tide.tests.http.SyncFixture;
import dev.tide.tests.server.PgTestSchema;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Two server instances share one PostgreSQL database; one reaches it through a proxy on 127.0.0.1 that,
 * while three clients write, first cuts every connection and refuses new ones (the database restarting),
 * then lets the connections open at that moment go silent without a reset (a link that died). Clients of
 * that instance get 503s and retry; everyone converges and every write is on the server once.
 */
@ExtendWith(VertxExtension.class)
class DatabaseOutageTest {

  static final int CLIENTS = 3;
  static final int WRITES = 150;

  @TempDir
  Path dir;

  @Test
  void clientsConvergeThroughADatabaseRestartAndADeadLink(Vertx vertx) {
    try (PgTestSchema schema = PgTestSchema.create(vertx)) {
      FaultProxy proxy = FaultProxy.start(vertx, schema.port());
      SyncFixture behindProxy = new SyncFixture(vertx, dir);
      behindProxy.startServer(new TideServerOptions().setPostgresUrl(schema.urlVia(proxy.port())).setPostgresTimeoutSeconds(1)
        .setPostgresPoolSize(1), null, null); // one connection: a call stuck on it would hold every call
      TideServerOptions direct = new TideServerOptions().setPostgresUrl(schema.url());
      TideServer other = TideServer.open(vertx, direct).await();
      HttpServer otherHttp = vertx.createHttpServer(TideServer.httpServerOptions(direct)).requestHandler(other.router()).listen(0, "127.0.0.1").await();
      List<Tide> clients = new ArrayList<>();
      try {
        for (int i = 0; i < CLIENTS; i++) {
          // two clients on the instance behind the proxy (WebSocket, HTTP), one on the other instance (WebSocket)
          String url = i < 2 ? behindProxy.url() : SyncFixture.url(otherHttp.actualPort());
          String transport = i == 1 ? "http" : "websocket";
          Tide t = behindProxy.client("c" + i, s -> s.setUrl(url).setTransport(transport).setIntervalMs(50).setHeartbeatMs(200));
          t.startSync().await();
          clients.add(t);
        }
        for (int n = 0; n < WRITES; n++) {
          if (n == 40) {
            proxy.down(true);
          } else if (n == 70) {
            proxy.down(false);
          } else if (n == 100) {
            proxy.blackholeExisting();
          }
          List<Future<?>> puts = new ArrayList<>();
          for (int i = 0; i < CLIENTS; i++) {
            puts.add(clients.get(i).collection("notes").put("c" + i + "-" + n, new JsonObject().put("n", n)));
          }
          Future.all(puts).await();
          vertx.timer(5).await(); // pacing: background syncs interleave with the writes
        }
        int total = CLIENTS * WRITES;
        ServerCrashTest.awaitConvergence(clients, total);
        List<StoredChange> onServer = other.store().pull("", 0, "-", 10_000, Integer.MAX_VALUE).await().changes();
        Set<String> ids = new HashSet<>();
        onServer.forEach(c -> ids.add(c.id()));
        assertEquals(total, onServer.size(), "every write on the server once");
        assertEquals(total, ids.size());
      } finally {
        clients.forEach(t -> t.close().await());
        behindProxy.stopServer();
        otherHttp.close().await();
        other.close().await();
        proxy.close().await();
      }
    }
  }
}
