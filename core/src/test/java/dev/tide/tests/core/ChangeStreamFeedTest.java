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

  /** A flowing stream whose event loop lags takes a whole batch while under its bound, then reports a gap: memory stays bounded. */
  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void aFlowingStreamOnABusyLoopIsBounded(Vertx vertx) throws Exception {
    Tide tide = Tide.open(vertx, options("busy.db")).await();
    Context store = (Context) field(tide, "context");
    Context ctx = ((VertxInternal) vertx).createEventLoopContext();
    while (((ContextInternal) ctx).nettyEventLoop() == ((ContextInternal) store).nettyEventLoop()) {
      ctx = ((VertxInternal) vertx).createEventLoopContext();
    }
    Context sctx = ctx;
    ChangeStream s = on(sctx, () -> tide.collection("notes").watch().handler(c -> { }));
    java.lang.reflect.Field mb = s.getClass().getDeclaredField("maxBuffered");
    mb.setAccessible(true);
    mb.setInt(s, 10); // DEFAULT_MAX_BUFFERED scaled down
    CountDownLatch release = ChangeStreamAndCloseTest.holdBusy(sctx);
    int buffered;
    try {
      for (int b = 0; b < 5; b++) {
        int base = b * 10;
        tide.batch(x -> {
          for (int i = 0; i < 10; i++) {
            x.put("notes", "d" + (base + i), new JsonObject());
          }
        }).await();
      }
      on(store, () -> null);
      synchronized (s) {
        buffered = (Integer) field(s, "changes");
      }
    } finally {
      release.countDown();
    }
    tide.close().await();
    assertTrue(buffered <= 20, "a flowing stream on a busy loop buffered " + buffered + " changes (bound 10)");
  }

  /** A stream whose context refused one drain task (publishNow survives it) still delivers, ends and closes afterwards. */
  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void aStreamWhoseContextRefusedOnceIsNotWedged(Vertx vertx) throws Exception {
    Tide tide = Tide.open(vertx, options("refuse.db")).await();
    Object feed = field(tide, "feed");
    ContextInternal real = (ContextInternal) vertx.getOrCreateContext();
    java.util.concurrent.atomic.AtomicBoolean refuse = new java.util.concurrent.atomic.AtomicBoolean();
    ContextInternal proxy = (ContextInternal) java.lang.reflect.Proxy.newProxyInstance(
      ContextInternal.class.getClassLoader(), new Class<?>[] {ContextInternal.class}, (pr, m, a) -> {
        if (m.getName().equals("runOnContext") && refuse.get()) {
          throw new java.util.concurrent.RejectedExecutionException("refused");
        }
        try {
          return m.invoke(real, a);
        } catch (java.lang.reflect.InvocationTargetException e) {
          throw e.getCause();
        }
      });
    Class<?> impl = Class.forName("dev.tide.core.impl.ChangeStreamImpl");
    java.lang.reflect.Constructor<?> k = impl.getDeclaredConstructors()[0];
    k.setAccessible(true);
    ChangeStream s = (ChangeStream) k.newInstance(proxy, feed, null, ChangeStream.DEFAULT_MAX_BUFFERED);
    AtomicInteger seen = new AtomicInteger();
    on(real, () -> s.handler(c -> seen.incrementAndGet()));
    on(real, () -> null);
    refuse.set(true);
    tide.collection("notes").put("a", new JsonObject()).await(); // offer's scheduleDrain throws, caught by publishNow
    refuse.set(false);
    tide.collection("notes").put("b", new JsonObject()).await();
    try {
      s.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      boolean scheduled;
      synchronized (s) {
        scheduled = (Boolean) field(s, "scheduled");
      }
      throw new AssertionError("close() never completes; scheduled=" + scheduled + " seen=" + seen.get()
        + " inFeed=" + streams(tide).contains(s));
    } finally {
      tide.close().await();
    }
  }
}
