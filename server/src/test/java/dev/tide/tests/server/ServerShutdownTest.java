package dev.tide.tests.server;

import dev.tide.server.TideServer;
import dev.tide.server.TideServerOptions;
import dev.tide.server.TideServerVerticle;
import dev.tide.server.impl.TideServerImpl;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Deployments with several instances, stopping with WebSockets open, and a closed server's endpoints. */
@ExtendWith(VertxExtension.class)
class ServerShutdownTest {

  @TempDir
  Path dir;

  private static WebSocketConnectOptions ws(int port) {
    return new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/sync/ws");
  }

  /** The usual way to use every event loop: the instances share one server and store. */
  @Test
  void theVerticleDeploysWithSeveralInstances(Vertx vertx) {
    int port;
    try (java.net.ServerSocket free = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
    TideServerOptions opts = new TideServerOptions().setDbPath(dir.resolve("v.db").toString()).setPort(port);
    String id = vertx.deployVerticle(() -> new TideServerVerticle(opts), new DeploymentOptions().setInstances(2)).await();
    WebClient client = WebClient.create(vertx);
    for (int i = 0; i < 4; i++) { // connections go round the instances
      var r = client.post(port, "127.0.0.1", "/sync").putHeader("Content-Type", "application/json")
        .sendJsonObject(new JsonObject().put("protocol", 1).put("node_id", "n" + i).putNull("cursor")).await();
      assertEquals(200, r.statusCode(), r.bodyAsString());
      client.close();
      client = WebClient.create(vertx);
    }
    vertx.undeploy(id).await();
    // the last instance closed the store: the file is free again
    String again = vertx.deployVerticle(new TideServerVerticle(opts)).await();
    vertx.undeploy(again).await();
  }

  /** A second deployment on the same file is refused, as the store lock refuses a second store: it does not join the first. */
  @Test
  void aSecondDeploymentOnTheSameFileIsRefused(Vertx vertx) {
    TideServerOptions opts = new TideServerOptions().setDbPath(dir.resolve("two.db").toString()).setPort(0);
    String first = vertx.deployVerticle(() -> new TideServerVerticle(opts), new DeploymentOptions().setInstances(2)).await();
    Throwable refused = vertx.deployVerticle(() -> new TideServerVerticle(opts), new DeploymentOptions().setInstances(2))
      .transform(ar -> io.vertx.core.Future.succeededFuture(ar.cause())).await();
    assertTrue(refused instanceof dev.tide.core.StoreException && refused.getMessage().contains("already open"), String.valueOf(refused));
    vertx.undeploy(first).await();
    String again = vertx.deployVerticle(() -> new TideServerVerticle(opts), new DeploymentOptions().setInstances(2)).await();
    vertx.undeploy(again).await();
  }

  /** Undeploying with an idle WebSocket closes it at once (1001), not after the whole grace period. */
  @Test
  void undeployClosesIdleWebSocketsAtOnce(Vertx vertx) {
    TideServerOptions opts = new TideServerOptions().setDbPath(dir.resolve("u.db").toString()).setPort(0).setShutdownGraceSeconds(20);
    TideServerVerticle v = new TideServerVerticle(opts);
    String id = vertx.deployVerticle(v).await();
    WebSocketClient wsc = vertx.createWebSocketClient();
    WebSocket socket = wsc.connect(ws(v.actualPort())).await();
    Promise<Short> closed = Promise.promise();
    socket.closeHandler(x -> closed.tryComplete(socket.closeStatusCode()));
    long t0 = System.nanoTime();
    vertx.undeploy(id).await();
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertEquals((short) 1001, closed.future().await());
    assertTrue(ms < 10_000, "undeploy waited " + ms + " ms for an idle socket (grace 20 s)");
  }

  /** After close(), a router the app still serves refuses WebSocket upgrades (503): nothing would serve them. */
  @Test
  void noWebSocketAfterClose(Vertx vertx) {
    TideServerOptions opts = new TideServerOptions().setDbPath(dir.resolve("c.db").toString());
    TideServerImpl server = (TideServerImpl) TideServer.open(vertx, opts).await();
    HttpServer http = vertx.createHttpServer(TideServer.httpServerOptions(opts)).requestHandler(server.router()).listen(0, "127.0.0.1").await();
    try {
      server.close().await();
      boolean refused = vertx.createWebSocketClient().connect(ws(http.actualPort())).transform(ar ->
        io.vertx.core.Future.succeededFuture(ar.failed())).await();
      assertTrue(refused, "upgrade accepted after close()");
      assertEquals(0, server.webSocketConnections());
    } finally {
      http.close().await();
    }
  }
}
