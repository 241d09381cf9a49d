package dev.tide.tests.server;

import dev.tide.server.TideServer;
import dev.tide.server.TideServerOptions;
import dev.tide.server.impl.PgServerStore;
import dev.tide.server.spi.ServerStore;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Two server instances on one PostgreSQL database, as behind a load balancer. */
class PgSharedServersTest extends ProtocolContractFixture {

  /** A write through one instance is pushed live to a WebSocket client of the other (LISTEN/NOTIFY). */
  @Test
  void aWriteThroughOneInstanceIsPushedByTheOther(Vertx vertx) throws Exception {
    ServerFixture one = startOnPostgres(vertx, new TideServerOptions());
    ServerFixture two = startOnSamePostgres(vertx, new TideServerOptions());
    Ws ws = ws(vertx, two.port);
    ws.send(syncFrame(1, ServerFixture.request("me", null)));
    String cursor = ws.next().getJsonObject("response").getString("cursor");
    one.sync(ServerFixture.request("other", null, ServerFixture.op("n", "x", 7, "other", new JsonObject().put("v", 1))));
    JsonObject push = ws.next();
    assertEquals("changes", push.getString("type"), push.encode());
    assertEquals(cursor, push.getString("from"));
    assertEquals("x", push.getJsonArray("changes").getJsonObject(0).getString("id"), push.encode());
    // the pushed cursor is good on the first instance too
    JsonObject r = one.sync(ServerFixture.request("me", push.getString("cursor")));
    assertEquals(0, r.getJsonArray("changes").size(), r.encode());
  }

  /**
   * A cursor handed out by one instance, brought to another that has not heard of the commits behind it
   * yet, is checked against the database again: the client is not sent to pull everything again
   * (409 database_changed), as it was when each instance trusted only what it had heard. A cursor
   * ahead of the database itself is still refused.
   */
  @Test
  void aCursorFromAnotherInstanceIsNotAReset(Vertx vertx) {
    ServerFixture one = startOnPostgres(vertx, new TideServerOptions());
    // the second instance hears of no commit: only the database can tell it
    ServerStore deaf = PgServerStore.open(vertx, postgresUrl(), 2, false).await();
    TideServerOptions options = new TideServerOptions().setPort(0);
    TideServer second = TideServer.create(vertx, options, deaf);
    HttpServer http = vertx.createHttpServer(TideServer.httpServerOptions(options)).requestHandler(second.router()).listen().await();
    cleanUpLater(() -> {
      http.close().await();
      second.close().await();
    });
    WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(http.actualPort()));

    one.sync(ServerFixture.request("w", null, ServerFixture.op("n", "a", 1, "w", new JsonObject())));
    String cursor = one.sync(ServerFixture.request("r", null)).getString("cursor");
    one.sync(ServerFixture.request("w", null, ServerFixture.op("n", "b", 2, "w", new JsonObject())));

    HttpResponse<Buffer> r = post(client, ServerFixture.request("r", cursor));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertEquals("b", r.bodyAsJsonObject().getJsonArray("changes").getJsonObject(0).getString("id"));

    String epoch = cursor.substring(0, cursor.indexOf('.'));
    HttpResponse<Buffer> ahead = post(client, ServerFixture.request("r", epoch + ".999"));
    assertEquals(409, ahead.statusCode(), ahead.bodyAsString());
    assertEquals("database_changed", ahead.bodyAsJsonObject().getJsonObject("error").getString("reason"), ahead.bodyAsString());
  }

  /**
   * The database lost commits a WebSocket client had been pushed (a failover to a replica that was behind):
   * the next commit finds the database behind the server, and the client is closed with 4409 so that its
   * exchange from its cursor is told to reset (database_changed) and gives the server back what it lost.
   * Else it would stay "ahead" and never be pushed the commits that reuse the lost sequences.
   */
  @Test
  void aWebSocketClientAheadOfALostDatabaseIsSentToReset(Vertx vertx) throws Exception {
    ServerFixture server = startOnPostgres(vertx, new TideServerOptions());
    for (int i = 1; i <= 3; i++) {
      server.sync(ServerFixture.request("other", null, ServerFixture.op("n", "d" + i, i, "other", new JsonObject())));
    }
    Ws ws = ws(vertx, server.port);
    ws.send(syncFrame(1, ServerFixture.request("me", null)));
    String cursor = ws.next().getJsonObject("response").getString("cursor");
    postgresSql("DELETE FROM tide_server_docs WHERE seq > 1");
    postgresSql("UPDATE tide_server_meta SET last_seq = 1");
    server.sync(ServerFixture.request("other", null, ServerFixture.op("n", "new", 10, "other", new JsonObject())));
    assertEquals((short) 4409, ws.closed.future().await(15, java.util.concurrent.TimeUnit.SECONDS));
    HttpResponse<Buffer> r = server.post(ServerFixture.request("me", cursor));
    assertEquals(409, r.statusCode(), r.bodyAsString());
    assertEquals("database_changed", r.bodyAsJsonObject().getJsonObject("error").getString("reason"));
  }

  /**
   * Two deployments of several verticle instances each, in one process, on one database: both start (they
   * were keyed by the unused dbPath, so the second was refused as "already open") and serve the same data.
   */
  @Test
  void twoMultiInstanceDeploymentsOnOneDatabase(Vertx vertx) {
    startOnPostgres(vertx, new TideServerOptions()); // the schema (and a first server), kept until the test ends
    int[] ports = new int[2];
    for (int d = 0; d < 2; d++) {
      int port = freePort();
      TideServerOptions options = new TideServerOptions().setPort(port).setPostgresUrl(postgresUrl());
      String id = vertx.deployVerticle(() -> new dev.tide.server.TideServerVerticle(options),
        new io.vertx.core.DeploymentOptions().setInstances(2)).await();
      cleanUpLater(() -> vertx.undeploy(id).await());
      ports[d] = port;
    }
    WebClient one = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(ports[0]));
    WebClient two = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(ports[1]));
    assertEquals(200, post(one, ServerFixture.request("w", null, ServerFixture.op("n", "x", 1, "w", new JsonObject()))).statusCode());
    HttpResponse<Buffer> r = post(two, ServerFixture.request("r", null));
    assertEquals("x", r.bodyAsJsonObject().getJsonArray("changes").getJsonObject(0).getString("id"), r.bodyAsString());
  }

  /** README's step after a restore that lost commits: a new epoch, with the instances stopped, refuses every cursor. */
  @Test
  void aNewEpochAfterARestoreRefusesEveryCursor(Vertx vertx) {
    ServerFixture before = startOnPostgres(vertx, new TideServerOptions());
    String cursor = before.sync(ServerFixture.request("r", null, ServerFixture.op("n", "a", 1, "r", new JsonObject()))).getString("cursor");
    before.stop();
    postgresSql("UPDATE tide_server_meta SET epoch = md5(random()::text)");
    ServerFixture after = startOnSamePostgres(vertx, new TideServerOptions());
    HttpResponse<Buffer> r = after.post(ServerFixture.request("r", cursor));
    assertEquals(409, r.statusCode(), r.bodyAsString());
    assertEquals("database_changed", r.bodyAsJsonObject().getJsonObject("error").getString("reason"));
  }

  private static int freePort() {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static HttpResponse<Buffer> post(WebClient client, JsonObject body) {
    return client.post("/sync").putHeader("Content-Type", "application/json").sendBuffer(body.toBuffer()).await();
  }
}
