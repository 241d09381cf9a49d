package dev.tide.core.impl;

import dev.tide.core.Tide;
import dev.tide.core.TideOptions;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Was a bug: a read whose caller's context is gone by the time it is answered (a worker verticle with its own
 * pool, undeployed meanwhile: its pool refuses tasks) threw on the reader thread, and the read queue stopped for
 * good. Every later read of the store, from any verticle, and the store's close (it waits for the reads) waited
 * for ever, so the file stayed locked.
 */
@ExtendWith(VertxExtension.class)
class GoneCallerReadTest {

  @TempDir
  Path dir;

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aReadAnsweredAfterItsCallerWasUndeployedDoesNotStopTheReads(Vertx vertx) throws Exception {
    TideImpl tide = (TideImpl) Tide.open(vertx, new TideOptions().setDbPath(dir.resolve("g.db").toString())).await();
    CountDownLatch answer = new CountDownLatch(1);
    Promise<Future<Integer>> orphan = Promise.promise();
    String id = vertx.deployVerticle(new VerticleBase() {
      @Override
      public Future<?> start() {
        // answered only once the verticle is gone
        orphan.complete(tide.read(() -> {
          answer.await();
          return 1;
        }));
        return Future.succeededFuture();
      }
    }, new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER).setWorkerPoolName("gone-caller")).await();
    vertx.undeploy(id).await();
    Future<Integer> later = tide.read(() -> 2);
    answer.countDown();

    Awaitility.await().atMost(10, TimeUnit.SECONDS).until(later::isComplete);
    assertEquals(2, later.result(), String.valueOf(later.cause()));
    // the read of the verticle that is gone is answered too (its callbacks run on the reader thread)
    assertEquals(1, orphan.future().result().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
    assertEquals(3, tide.read(() -> 3).await());
    Future<Void> closed = tide.close();
    Awaitility.await().atMost(10, TimeUnit.SECONDS).until(closed::isComplete);
    assertTrue(closed.succeeded(), String.valueOf(closed.cause()));
  }
}
