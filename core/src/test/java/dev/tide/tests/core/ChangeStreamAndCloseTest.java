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
import static org.junit.jupiter.api.Assertions.assertTrue;

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

  /** A stream carries the store's changes only: something else published on its address is not its business. */
  @Test
  @org.junit.jupiter.api.Timeout(value = 20, unit = TimeUnit.SECONDS)
  void aStreamIgnoresOtherMessagesOnItsAddress(Vertx vertx, VertxTestContext test) {
    Tide tide = Tide.open(vertx, options("x.db").setChangesAsJson(true)).await();
    Promise<Void> ready = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> {
      tide.watch().exceptionHandler(test::failNow).handler(c -> test.verify(() -> {
        assertEquals("real", c.id());
        test.completeNow();
      }));
      ready.complete();
    });
    ready.future().await();
    vertx.eventBus().publish(tide.address(), new JsonObject().put("bogus", true));
    tide.collection("notes").put("real", new JsonObject()).await();
  }

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

  static Object field(Object o, String name) throws Exception {
    java.lang.reflect.Field f = o.getClass().getDeclaredField(name);
    f.setAccessible(true);
    return f.get(o);
  }

  static java.util.Set<?> streams(Tide tide) throws Exception {
    return (java.util.Set<?>) field(field(tide, "feed"), "streams");
  }

  static <T> T on(Context ctx, java.util.concurrent.Callable<T> c) {
    Promise<T> p = Promise.promise();
    ctx.runOnContext(v -> {
      try {
        p.complete(c.call());
      } catch (Exception e) {
        p.fail(e);
      }
    });
    return p.future().await();
  }

  /** Keeps a context's event loop busy (as another handler of the app would) until the returned latch is released. */
  static java.util.concurrent.CountDownLatch holdBusy(Context ctx) throws InterruptedException {
    java.util.concurrent.CountDownLatch busy = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    ctx.runOnContext(v -> {
      busy.countDown();
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    assertTrue(busy.await(10, TimeUnit.SECONDS));
    return release;
  }

  /** A permit for each change the store publishes on its address. */
  static java.util.concurrent.Semaphore published(Vertx vertx, Tide tide) {
    java.util.concurrent.Semaphore published = new java.util.concurrent.Semaphore(0);
    vertx.eventBus().addOutboundInterceptor(dc -> {
      if (dc.message().address().equals(tide.address())) {
        published.release();
      }
      dc.next();
    });
    return published;
  }

  /** A write stream whose writes fail (a client that went away). */
  static final class FailingWriteStream implements io.vertx.core.streams.WriteStream<Change> {
    public io.vertx.core.streams.WriteStream<Change> exceptionHandler(io.vertx.core.Handler<Throwable> h) {
      return this;
    }

    public io.vertx.core.Future<Void> write(Change data) {
      return io.vertx.core.Future.failedFuture("gone");
    }

    public io.vertx.core.Future<Void> end() {
      return io.vertx.core.Future.succeededFuture();
    }

    public io.vertx.core.streams.WriteStream<Change> setWriteQueueMaxSize(int maxSize) {
      return this;
    }

    public boolean writeQueueFull() {
      return false;
    }

    public io.vertx.core.streams.WriteStream<Change> drainHandler(io.vertx.core.Handler<Void> handler) {
      return this;
    }
  }

  /** A pipe that failed detaches its source (handler(null)): the stream stops receiving and holds nothing. */
  @Test
  @org.junit.jupiter.api.Timeout(value = 30, unit = TimeUnit.SECONDS)
  void aFailedPipeReleasesItsStream(Vertx vertx) throws Exception {
    Tide tide = Tide.open(vertx, options("pipe.db")).await();
    Context ctx = vertx.getOrCreateContext();
    ChangeStream s = on(ctx, tide::watch);
    io.vertx.core.Future<Void> piped = on(ctx, () -> s.pipeTo(new FailingWriteStream()));
    assertEquals(1, streams(tide).size());
    tide.collection("notes").put("a", new JsonObject()).await();
    assertEquals(true, piped.transform(ar -> io.vertx.core.Future.succeededFuture(ar.failed())).await());
    org.awaitility.Awaitility.await().until(() -> streams(tide).isEmpty());
    tide.collection("notes").put("b", new JsonObject()).await();
    assertEquals(0, on(ctx, () -> ((java.util.ArrayDeque<?>) field(s, "buffer")).size()));
    tide.close().await();
  }

  /** A stream without a handler holds no consumer and is not kept by the store. */
  @Test
  void unusedStreamsAreNotKept(Vertx vertx) throws Exception {
    Tide tide = Tide.open(vertx, options("unused.db")).await();
    for (int i = 0; i < 100; i++) {
      tide.watch();
    }
    assertEquals(0, streams(tide).size());
    tide.close().await();
  }

  /** The gap is reported where it is: before a change that arrived after it (a slot was freed by fetch). */
  @Test
  @org.junit.jupiter.api.Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aGapIsReportedBeforeNewerChanges(Vertx vertx, VertxTestContext test) throws Exception {
    Tide tide = Tide.open(vertx, options("gap.db")).await();
    int n = ChangeStream.DEFAULT_MAX_BUFFERED + 5;
    java.util.concurrent.Semaphore published = published(vertx, tide);
    Context ctx = vertx.getOrCreateContext();
    java.util.List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
    ChangeStream s = on(ctx, () -> tide.watch()
      .exceptionHandler(e -> events.add(e instanceof dev.tide.core.ChangesDroppedException d ? "gap" + d.dropped() : e.toString()))
      .handler(c -> {
        events.add(c.id());
        if (c.id().equals("marker")) {
          test.verify(() -> {
            assertEquals(n - 5 + 2, events.size(), "every buffered change, the gap, then the marker");
            assertEquals("gap5", events.get(events.size() - 2));
          });
          test.completeNow();
        }
      }).pause());
    tide.batch(b -> {
      for (int i = 0; i < n; i++) {
        b.put("notes", "d" + i, new JsonObject());
      }
    }).await();
    published.acquire(n);
    on(ctx, () -> s.fetch(1)); // one slot is free again
    org.awaitility.Awaitility.await().until(() -> events.size() == 1);
    tide.collection("notes").put("marker", new JsonObject()).await(); // newer than the gap
    published.acquire(1);
    on(ctx, s::resume);
  }

  /** A handler that throws on one change does not strand the changes buffered behind it. */
  @Test
  @org.junit.jupiter.api.Timeout(value = 30, unit = TimeUnit.SECONDS)
  void aThrowingHandlerDoesNotStrandTheRest(Vertx vertx) throws Exception {
    Tide tide = Tide.open(vertx, options("throw.db")).await();
    java.util.concurrent.Semaphore published = published(vertx, tide);
    Context ctx = vertx.getOrCreateContext();
    ctx.exceptionHandler(e -> { }); // the app's failure goes to its context, as usual
    AtomicInteger seen = new AtomicInteger();
    ChangeStream s = on(ctx, () -> tide.watch().handler(c -> {
      if (seen.incrementAndGet() == 1) {
        throw new IllegalStateException("the app's bug on one change");
      }
    }).pause());
    for (int i = 0; i < 3; i++) {
      tide.collection("notes").put("d" + i, new JsonObject()).await();
    }
    published.acquire(3);
    on(ctx, s::resume);
    org.awaitility.Awaitility.await().until(() -> seen.get() == 3);
    tide.close().await();
  }

  /** close() from another thread: the end handler runs on the stream's context, after the delivery in progress. */
  @Test
  @org.junit.jupiter.api.Timeout(value = 30, unit = TimeUnit.SECONDS)
  void theEndHandlerRunsOnTheStreamsContextBetweenDeliveries(Vertx vertx) throws Exception {
    Tide tide = Tide.open(vertx, options("end.db")).await();
    Context ctx = vertx.getOrCreateContext();
    java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.atomic.AtomicBoolean inHandler = new java.util.concurrent.atomic.AtomicBoolean();
    CompletableFuture<String> end = new CompletableFuture<>();
    java.util.concurrent.atomic.AtomicReference<Thread> streamThread = new java.util.concurrent.atomic.AtomicReference<>();
    ctx.runOnContext(v -> streamThread.set(Thread.currentThread())); // the stream's context runs on this event loop
    ChangeStream s = on(ctx, () -> tide.watch().handler(c -> {
      inHandler.set(true);
      entered.countDown();
      try {
        release.await(10, TimeUnit.SECONDS); // holds this delivery while close() is called elsewhere
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      inHandler.set(false);
    }).endHandler(v -> end.complete("onStreamContext=" + (Thread.currentThread() == streamThread.get()) + " duringDelivery=" + inHandler.get())));
    tide.collection("notes").put("a", new JsonObject()).await();
    assertTrue(entered.await(10, TimeUnit.SECONDS));
    io.vertx.core.Future<Void> closed = s.close(); // from this (non-Vert.x) thread
    release.countDown();
    closed.await();
    assertEquals("onStreamContext=true duringDelivery=false", end.get(10, TimeUnit.SECONDS));
    tide.close().await();
  }

  /** Code run by Tide.close() (a stream's end handler) finds the store closed: its writes fail, close() is the same. */
  @Test
  @org.junit.jupiter.api.Timeout(value = 30, unit = TimeUnit.SECONDS)
  void anEndHandlerRunByCloseSeesTheStoreClosed(Vertx vertx) {
    Tide tide = Tide.open(vertx, options("reent.db")).await();
    Context ctx = vertx.getOrCreateContext();
    Promise<io.vertx.core.Future<?>> late = Promise.promise();
    Promise<io.vertx.core.Future<Void>> second = Promise.promise();
    io.vertx.core.Future<Void> first = on(ctx, () -> {
      tide.watch().handler(c -> { }).endHandler(v -> {
        late.complete(tide.collection("notes").put("late", new JsonObject()));
        second.complete(tide.close());
      });
      return tide.close();
    });
    first.await();
    assertSame(first, second.future().await());
    assertTrue(late.future().await().transform(ar -> io.vertx.core.Future.succeededFuture(ar.failed())).await());
  }

  /** watch() on a closed store gives an ended stream: its end handler runs. */
  @Test
  @org.junit.jupiter.api.Timeout(value = 30, unit = TimeUnit.SECONDS)
  void watchAfterCloseIsEnded(Vertx vertx, VertxTestContext test) throws Exception {
    Tide tide = Tide.open(vertx, options("wac.db")).await();
    tide.close().await();
    tide.watch().handler(c -> { }).endHandler(v -> test.completeNow());
    assertEquals(0, streams(tide).size());
  }

  /** From a non-Vert.x thread, a future failed at once (a bad argument) completes on a context too. */
  @Test
  @org.junit.jupiter.api.Timeout(value = 30, unit = TimeUnit.SECONDS)
  void argumentFailuresFromAPlainThreadCompleteOnAContext(Vertx vertx) throws Exception {
    Tide tide = Tide.open(vertx, options("arg.db")).await();
    for (io.vertx.core.Future<?> f : java.util.List.of(tide.batch(b -> {
      throw new IllegalArgumentException("x");
    }), tide.collection("notes").get("bad id\u0000"), tide.collection("notes").list(0, null), tide.startSync(java.time.Duration.ZERO))) {
      CompletableFuture<Context> where = new CompletableFuture<>();
      f.onComplete(ar -> where.complete(Vertx.currentContext()));
      assertNotNull(where.get(5, TimeUnit.SECONDS), "completed on the calling (non-Vert.x) thread");
    }
    tide.close().await();
  }
}
