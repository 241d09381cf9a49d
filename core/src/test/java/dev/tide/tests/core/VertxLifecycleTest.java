package dev.tide.tests.core;

import dev.tide.core.Stamp;
import dev.tide.core.StoreException;
import dev.tide.core.Tide;
import dev.tide.core.TideOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A store is closed with what opened it, like a client Vert.x makes in a verticle: closing Vert.x, or
 * undeploying the verticle that opened it, drains its queued writes, answers every future, and frees
 * the file (connections and lock) for the next open.
 */
class VertxLifecycleTest {

  @TempDir
  Path dir;

  @Test
  void closingVertxClosesAnOpenStoreAfterItsQueuedWrites() throws Exception {
    String path = dir.resolve("vx.db").toString();
    Vertx vertx = Vertx.vertx();
    Tide tide = Tide.open(vertx, new TideOptions().setDbPath(path)).await();
    List<Future<Stamp>> puts = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      puts.add(tide.collection("c").put("d" + i, new JsonObject().put("i", i).put("pad", "x".repeat(500))));
    }
    vertx.close().await();
    Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> puts.stream().allMatch(Future::isComplete));
    assertEquals(puts.size(), puts.stream().filter(Future::succeeded).count(), "writes queued before the close are committed");
    assertEquals(List.of(), OpenFiles.under(path), "connections and lock are closed");

    Vertx second = Vertx.vertx();
    try {
      Tide again = Tide.open(second, new TideOptions().setDbPath(path)).await();
      assertEquals(puts.size(), again.collection("c").list(30_000, null).await().size());
      again.close().await();
    } finally {
      second.close().await();
    }
  }

  @Test
  void undeployingTheVerticleThatOpenedAStoreClosesIt() throws Exception {
    String path = dir.resolve("vt.db").toString();
    Vertx vertx = Vertx.vertx();
    try {
      Tide[] opened = new Tide[1];
      String deployment = vertx.deployVerticle(new VerticleBase() {
        @Override
        public Future<?> start() {
          return Tide.open(vertx, new TideOptions().setDbPath(path)).onSuccess(t -> opened[0] = t);
        }
      }).await();
      Tide tide = opened[0];
      tide.collection("c").put("a", new JsonObject().put("v", 1)).await();
      vertx.undeploy(deployment).await();
      assertEquals(List.of(), OpenFiles.under(path), "connections and lock are closed");

      Throwable late = tide.collection("c").put("b", new JsonObject()).transform(Future::succeededFuture).await().cause();
      assertInstanceOf(StoreException.class, late, "a write after the undeploy fails: the store is closed");
      tide.close().await(); // closing again is harmless
      Tide again = Tide.open(vertx, new TideOptions().setDbPath(path)).await();
      assertEquals(1, again.collection("c").get("a").await().getInteger("v"));
      again.close().await();
    } finally {
      vertx.close().await();
    }
  }

  /** Its own close removes the hook: closing Vert.x later does not close it twice or fail. */
  @Test
  void aStoreClosedFirstIsNotClosedAgainByVertx() throws Exception {
    String path = dir.resolve("first.db").toString();
    Vertx vertx = Vertx.vertx();
    Tide tide = Tide.open(vertx, new TideOptions().setDbPath(path)).await();
    tide.close().await();
    Tide second = Tide.open(vertx, new TideOptions().setDbPath(path)).await();
    second.collection("c").put("x", new JsonObject()).await();
    vertx.close().await();
    assertTrue(OpenFiles.under(path).isEmpty());
  }

  /**
   * Calls made from a plain thread once Vert.x is closed fail with StoreException, as after the store's own
   * close: their failed futures were bound to the store's context, whose event loop was gone, so waiting
   * on one threw RejectedExecutionException and a handler added to it never ran.
   */
  @Test
  void callsAfterVertxClosedFailWithStoreException() throws Exception {
    Vertx vertx = Vertx.vertx();
    Tide tide = Tide.open(vertx, new TideOptions().setDbPath(dir.resolve("gone.db").toString())).await();
    vertx.close().await();
    List<Future<?>> calls = List.of(tide.collection("c").put("a", new JsonObject()), tide.collection("c").get("a"),
      tide.collection("c").list(10, null), tide.pendingCount());
    for (Future<?> call : calls) {
      java.util.concurrent.CompletableFuture<Throwable> seen = new java.util.concurrent.CompletableFuture<>();
      call.onComplete(ar -> seen.complete(ar.cause()));
      assertInstanceOf(StoreException.class, seen.get(10, java.util.concurrent.TimeUnit.SECONDS));
      assertInstanceOf(StoreException.class, assertThrows(Exception.class, call::await));
    }
  }
}
