package dev.tide.tests.core;

import dev.tide.core.Change;
import dev.tide.core.ChangeStream;
import dev.tide.core.StoreException;
import dev.tide.core.Tide;
import dev.tide.core.TideCollection;
import dev.tide.core.TideOptions;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

@ExtendWith(VertxExtension.class)
/** ChangeStream as a ReadStream (handler reset, one end, exceptions, drops made visible) and calls around close(). */
class ChangeStreamAndCloseTest {

  @TempDir
  Path dir;

  TideOptions options(String name) {
    return new TideOptions().setDbPath(dir.resolve(name).toString());
  }

  /** ReadStream: handler(null) then handler(h) must deliver to h again. */
  @Test
  @org.junit.jupiter.api.Timeout(value = 20, unit = TimeUnit.SECONDS)
  void handlerCanBeSetAgainAfterNull(Vertx vertx, VertxTestContext test) {
    Tide tide = Tide.open(vertx, options("h.db")).await();
    Promise<Void> ready = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> {
      ChangeStream s = tide.watch();
      s.handler(c -> { });
      s.handler(null);
      s.handler(c -> test.completeNow());
      ready.complete();
    });
    ready.future().await();
    tide.collection("notes").put("a", new JsonObject()).await();
  }

  /** ReadStream: the end handler is called at most once. */
  @Test
  @org.junit.jupiter.api.Timeout(value = 20, unit = TimeUnit.SECONDS)
  void endHandlerCalledOnceWhenClosedTwice(Vertx vertx) {
    Tide tide = Tide.open(vertx, options("e.db")).await();
    AtomicInteger ends = new AtomicInteger();
    ChangeStream s = tide.watch().handler(c -> { }).endHandler(v -> ends.incrementAndGet());
    s.close().await();
    s.close().await();
    assertEquals(1, ends.get());
    tide.close().await();
  }

  /** Closing the store ends its change streams (a pipe to a write stream would wait for ever otherwise). */
  @Test
  @org.junit.jupiter.api.Timeout(value = 20, unit = TimeUnit.SECONDS)
  void closingTheStoreEndsItsStreams(Vertx vertx, VertxTestContext test) {
    Tide tide = Tide.open(vertx, options("c.db")).await();
    tide.watch().handler(c -> { }).endHandler(v -> test.completeNow());
    tide.close().await();
  }

  /** Tide javadoc: futures complete on the caller's context, or the store's from a non-Vert.x thread. */
  @Test
  @org.junit.jupiter.api.Timeout(value = 20, unit = TimeUnit.SECONDS)
  void cachedGetFromANonVertxThreadCompletesOnAContext(Vertx vertx) throws Exception {
    Tide tide = Tide.open(vertx, options("g.db")).await();
    TideCollection notes = tide.collection("notes");
    notes.put("a", new JsonObject().put("v", 1)).await(); // now cached
    CompletableFuture<Context> where = new CompletableFuture<>();
    notes.get("a").onComplete(ar -> where.complete(Vertx.currentContext()));
    assertNotNull(where.get(5, TimeUnit.SECONDS), "completed on the calling (non-Vert.x) thread");
    tide.close().await();
  }

  /** A ChangeStream exceptionHandler hears of a body the stream cannot decode. */
  @Test
  @org.junit.jupiter.api.Timeout(value = 20, unit = TimeUnit.SECONDS)
  void exceptionHandlerHearsOfUndecodableBody(Vertx vertx, VertxTestContext test) {
    Tide tide = Tide.open(vertx, options("x.db").setChangesAsJson(true)).await();
    Promise<Void> ready = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> {
      tide.watch().exceptionHandler(e -> test.completeNow()).handler(c -> { });
      ready.complete();
    });
    ready.future().await();
    vertx.eventBus().publish(tide.address(), new JsonObject().put("bogus", true));
  }

  /** A write after close() was called fails at once (the writer itself closes last). */
  @Test
  @org.junit.jupiter.api.Timeout(value = 20, unit = TimeUnit.SECONDS)
  void aPutAfterCloseFailsWithSync(Vertx vertx) {
    Tide tide = Tide.open(vertx, options("p2.db").setSync(new dev.tide.core.SyncOptions().setUrl("http://127.0.0.1:9/sync")
      .setAutoStart(false).setTransportFactory(LifecycleTest.UNREACHABLE))).await();
    tide.close();
    assertThrows(StoreException.class, () -> tide.collection("notes").put("late", new JsonObject()).await());
  }

  /** Changes dropped past 10,000 while paused are reported to the exception handler, after the buffered ones. */
  @Test
  @org.junit.jupiter.api.Timeout(value = 20, unit = TimeUnit.SECONDS)
  void droppedChangesWhilePausedAreObservable(Vertx vertx, VertxTestContext test) throws Exception {
    Tide tide = Tide.open(vertx, options("drop.db")).await();
    int n = ChangeStream.DEFAULT_MAX_BUFFERED + 5;
    java.util.concurrent.CountDownLatch published = new java.util.concurrent.CountDownLatch(n);
    vertx.eventBus().addOutboundInterceptor(dc -> {
      if (dc.message().address().equals(tide.address())) {
        published.countDown();
      }
      dc.next();
    });
    Context ctx = vertx.getOrCreateContext();
    AtomicInteger seen = new AtomicInteger();
    AtomicInteger errors = new AtomicInteger();
    Promise<ChangeStream> ready = Promise.promise();
    ctx.runOnContext(v -> ready.complete(tide.watch().exceptionHandler(e -> {
      test.verify(() -> {
        assertEquals(5L, ((dev.tide.core.ChangesDroppedException) e).dropped());
        assertEquals(ChangeStream.DEFAULT_MAX_BUFFERED, seen.get(), "reported after the buffered changes");
      });
      errors.incrementAndGet();
    }).handler(c -> {
      int k = seen.incrementAndGet();
      if (c.id().equals("marker")) {
        test.verify(() -> {
          assertEquals(ChangeStream.DEFAULT_MAX_BUFFERED + 1, k);
          assertEquals(1, errors.get());
        });
        test.completeNow();
      }
    }).pause()));
    ChangeStream stream = ready.future().await();
    tide.batch(b -> {
      for (int i = 0; i < n; i++) {
        b.put("notes", "d" + i, new JsonObject());
      }
    }).await();
    published.await(20, TimeUnit.SECONDS);
    Promise<Void> resumed = Promise.promise();
    ctx.runOnContext(v -> {
      stream.resume();
      resumed.complete();
    });
    resumed.future().await();
    tide.collection("notes").put("marker", new JsonObject()).await();
  }
}
