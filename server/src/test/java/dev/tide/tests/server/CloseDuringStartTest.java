package dev.tide.tests.server;

import dev.tide.server.TideServer;
import dev.tide.server.TideServerOptions;
import dev.tide.server.TideServerVerticle;
import dev.tide.tests.core.OpenFiles;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Vert.x closed while a server verticle's start is still opening the store on a worker (Vert.x 5 does
 * not let a deployment be undeployed before its start ends, but {@code Vertx.close()} goes ahead): the
 * store is closed all the same, its file and lock free for the next open in this process.
 */
class CloseDuringStartTest {

  @TempDir
  Path dir;

  @ParameterizedTest(name = "{0} instance(s)")
  @ValueSource(ints = {1, 2})
  void closingVertxDuringStartClosesTheStore(int instances) throws Exception {
    String path = dir.resolve("s" + instances + ".db").toString();
    for (int round = 0; round < 5; round++) { // the close lands at a different point of the start each time
      Vertx vertx = Vertx.vertx();
      Future<String> deploying = vertx.deployVerticle(() -> new TideServerVerticle(new TideServerOptions().setDbPath(path).setPort(0)),
        new DeploymentOptions().setInstances(instances));
      vertx.close().await();
      assertTrue(deploying.isComplete(), "the deployment ended with the close");
      assertEquals(List.of(), OpenFiles.under(path), "round " + round + ": connections and lock are closed");
      Vertx next = Vertx.vertx();
      try {
        TideServer.open(next, new TideServerOptions().setDbPath(path)).await().close().await();
      } finally {
        next.close().await();
      }
    }
  }
}
