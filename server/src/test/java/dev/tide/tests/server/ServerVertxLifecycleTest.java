package dev.tide.tests.server;

import dev.tide.server.TideServer;
import dev.tide.tests.core.OpenFiles;
import dev.tide.server.TideServerOptions;
import dev.tide.server.TideServerVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A server's store is closed with what opened it: closing Vert.x, or undeploying the verticle that
 * opened it, frees the file (connections and lock) for the next open, in this Vert.x or a new one.
 */
class ServerVertxLifecycleTest {

  @TempDir
  Path dir;

  private static JsonObject push(String id) {
    return ServerFixture.request("n", null, ServerFixture.op("c", id, 1, "n", new JsonObject().put("v", 1)));
  }

  @Test
  void closingVertxClosesAnOpenServer() throws Exception {
    String path = dir.resolve("emb.db").toString();
    TideServerOptions options = new TideServerOptions().setDbPath(path).setPort(0);
    Vertx vertx = Vertx.vertx();
    TideServer server = TideServer.open(vertx, options).await();
    server.store().push("", dev.tide.core.SyncRequest.fromJson(push("a")).ops()).await();
    vertx.close().await();
    assertEquals(List.of(), OpenFiles.under(path), "connections and lock are closed");

    Vertx second = Vertx.vertx();
    try {
      TideServer again = TideServer.open(second, options).await();
      assertEquals(1, again.store().lastSeq());
      again.close().await();
    } finally {
      second.close().await();
    }
  }

  @Test
  void undeployingTheVerticleThatOpenedAServerClosesIt() throws Exception {
    String path = dir.resolve("vs.db").toString();
    TideServerOptions options = new TideServerOptions().setDbPath(path).setPort(0);
    Vertx vertx = Vertx.vertx();
    try {
      TideServer[] opened = new TideServer[1];
      String deployment = vertx.deployVerticle(new VerticleBase() {
        @Override
        public Future<?> start() {
          return TideServer.open(vertx, options).onSuccess(s -> opened[0] = s);
        }
      }).await();
      vertx.undeploy(deployment).await();
      assertEquals(List.of(), OpenFiles.under(path), "connections and lock are closed");
      opened[0].close().await(); // closing again is harmless
      TideServer.open(vertx, options).await().close().await();
    } finally {
      vertx.close().await();
    }
  }

  /** Several instances share one server; closing Vert.x (no undeploy first) closes it once. */
  @Test
  void closingVertxClosesASharedServerVerticle() throws Exception {
    String path = dir.resolve("shared.db").toString();
    Vertx vertx = Vertx.vertx();
    vertx.deployVerticle(() -> new TideServerVerticle(new TideServerOptions().setDbPath(path).setPort(0)),
      new DeploymentOptions().setInstances(2)).await();
    assertTrue(!OpenFiles.under(path).isEmpty());
    vertx.close().await();
    assertEquals(List.of(), OpenFiles.under(path), "connections and lock are closed");
  }
}
