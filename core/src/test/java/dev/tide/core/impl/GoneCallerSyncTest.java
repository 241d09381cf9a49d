package dev.tide.core.impl;

import dev.tide.core.SyncException;
import dev.tide.core.SyncOptions;
import dev.tide.core.Tide;
import dev.tide.core.TideOptions;
import dev.tide.core.spi.SyncTransport;
import dev.tide.core.spi.SyncTransportFactory;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Was a bug: a sync call whose caller's context is gone by the time it completes (a worker verticle with its
 * own pool, undeployed meanwhile: its pool refuses tasks) threw where it completed, in the sync engine. A pending
 * initialSync() so stopped the store's close half way: the close never completed, the other initialSync()
 * callers never heard of it, and the file stayed locked.
 */
@ExtendWith(VertxExtension.class)
class GoneCallerSyncTest {

  @TempDir
  Path dir;

  /** Deploys a worker verticle with its own pool that makes {@code call}, then undeploys it. */
  private static void callFromAGoneWorker(Vertx vertx, Tide tide, Function<Tide, Future<?>> call) {
    String id = vertx.deployVerticle(new VerticleBase() {
      @Override
      public Future<?> start() {
        call.apply(tide); // answered only once the verticle is gone
        return Future.succeededFuture();
      }
    }, new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER).setWorkerPoolName("gone-caller")).await();
    vertx.undeploy(id).await();
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aSyncCallPendingWhenItsCallerWasUndeployedDoesNotStopTheClose(Vertx vertx) {
    SyncTransportFactory unreachable = SyncTransportFactory.of("unreachable", (v, o) -> new SyncTransport() {
      @Override
      public Future<dev.tide.core.SyncResponse> exchange(dev.tide.core.SyncRequest request) {
        return Future.failedFuture(new SyncException(503, "unavailable", "no server", null));
      }

      @Override
      public Future<Void> close() {
        return Future.succeededFuture();
      }
    });
    TideOptions options = new TideOptions().setDbPath(dir.resolve("s.db").toString())
      .setSync(new SyncOptions().setUrl("http://127.0.0.1:9/sync").setTransportFactory(unreachable));
    Tide tide = Tide.open(vertx, options).await();
    // never caught up (no server): it fails at close, once its caller is gone
    callFromAGoneWorker(vertx, tide, Tide::initialSync);
    Future<?> waiting = tide.initialSync();

    Future<Void> closed = tide.close();
    Awaitility.await().atMost(10, TimeUnit.SECONDS).until(closed::isComplete);
    assertTrue(closed.succeeded(), String.valueOf(closed.cause()));
    Awaitility.await().atMost(10, TimeUnit.SECONDS).until(waiting::isComplete);
    assertTrue(waiting.failed());
    Tide.open(vertx, new TideOptions().setDbPath(dir.resolve("s.db").toString())).await().close().await();
  }
}
