package dev.tide.tests.core;

import dev.tide.core.ChangeStream;
import dev.tide.core.Tide;
import dev.tide.core.TideOptions;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.tide.tests.core.ChangeStreamAndCloseTest.field;
import static dev.tide.tests.core.ChangeStreamAndCloseTest.on;
import static dev.tide.tests.core.ChangeStreamAndCloseTest.streams;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How the store feeds change streams: every change to a flowing stream, only its collection, nothing kept after close. */
@ExtendWith(VertxExtension.class)
class ChangeStreamFeedTest {

  @TempDir
  Path dir;

  TideOptions options(String name) {
    return new TideOptions().setDbPath(dir.resolve(name).toString());
  }

  /** A flowing (never paused) stream must get every change of a batch larger than the paused-buffer bound. */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aFlowingStreamGetsEveryChangeOfALargeBatch(Vertx vertx) {
    Tide tide = Tide.open(vertx, options("big.db")).await();
    Context ctx = vertx.getOrCreateContext();
    AtomicInteger seen = new AtomicInteger();
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    on(ctx, () -> tide.watch().exceptionHandler(errors::add).handler(c -> seen.incrementAndGet()));
    int n = ChangeStream.DEFAULT_MAX_BUFFERED + 5_000;
    tide.batch(b -> {
      for (int i = 0; i < n; i++) {
        b.put("notes", "d" + i, new JsonObject());
      }
    }).await();
    org.awaitility.Awaitility.await().atMost(30, TimeUnit.SECONDS).until(() -> seen.get() == n || !errors.isEmpty());
    assertEquals(List.of(), errors, "a stream that was never paused reports dropped changes");
    assertEquals(n, seen.get());
    tide.close().await();
  }

  /** A stream of another collection must not be woken (one runOnContext per stream per publish) for changes it does not want. */
  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void aStreamOfAnotherCollectionIsNotWokenByAPublish(Vertx vertx) throws Exception {
    Tide tide = Tide.open(vertx, options("other.db")).await();
    Context store = (Context) field(tide, "context");
    Context ctx = ((VertxInternal) vertx).createEventLoopContext();
    while (((ContextInternal) ctx).nettyEventLoop() == ((ContextInternal) store).nettyEventLoop()) {
      ctx = ((VertxInternal) vertx).createEventLoopContext();
    }
    Context sctx = ctx;
    ChangeStream s = on(sctx, () -> tide.collection("other").watch().handler(c -> { }));
    CountDownLatch release = ChangeStreamAndCloseTest.holdBusy(sctx); // its event loop is busy until released
    try {
      tide.collection("notes").put("a", new JsonObject()).await();
      on(store, () -> null); // after the publish, which runs on the store's context
      boolean scheduled;
      synchronized (s) {
        scheduled = (Boolean) field(s, "scheduled");
      }
      assertFalse(scheduled, "a publish of 'notes' scheduled a drain on a stream of 'other'");
    } finally {
      release.countDown();
    }
    tide.close().await();
  }

  /** handler(h) racing with close() from another thread: the closed stream must not be kept in the feed. */
  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void aStreamClosedWhileItsHandlerIsBeingSetIsNotKept(Vertx vertx) throws Exception {
    Tide tide = Tide.open(vertx, options("race.db")).await();
    Object feed = field(tide, "feed");
    CountDownLatch inAdd = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Set<Object> real = ConcurrentHashMap.newKeySet();
    Set<Object> gated = new java.util.AbstractSet<>() { // pauses ChangeFeed.add between handler()'s lock and the add
      @Override
      public boolean add(Object o) {
        inAdd.countDown();
        try {
          release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return real.add(o);
      }

      @Override
      public boolean remove(Object o) {
        return real.remove(o);
      }

      @Override
      public java.util.Iterator<Object> iterator() {
        return real.iterator();
      }

      @Override
      public int size() {
        return real.size();
      }
    };
    java.lang.reflect.Field f = feed.getClass().getDeclaredField("streams");
    f.setAccessible(true);
    f.set(feed, gated);
    Context ctx = vertx.getOrCreateContext();
    ChangeStream s = on(ctx, tide::watch);
    Thread setter = new Thread(() -> s.handler(c -> { }));
    setter.start();
    assertTrue(inAdd.await(10, TimeUnit.SECONDS));
    s.close().await(); // from this thread: it ends (end handler, close() completes)
    release.countDown();
    setter.join(10_000);
    assertEquals(0, streams(tide).size(), "a closed stream is kept in the feed (and as a close hook)");
    tide.close().await();
  }
}
