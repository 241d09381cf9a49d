package dev.tide.tests.core;

import dev.tide.core.Change;
import dev.tide.core.ChangeStream;
import dev.tide.core.Tide;
import dev.tide.core.TideOptions;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static dev.tide.tests.core.ChangeStreamAndCloseTest.on;
import static dev.tide.tests.core.ChangeStreamAndCloseTest.published;
import static dev.tide.tests.core.ChangeStreamAndCloseTest.streams;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How a change stream ends: after what it holds, once, without hanging the store's close; each case was a bug. */
@ExtendWith(VertxExtension.class)
class ChangeStreamEndTest {

  @TempDir
  Path dir;

  TideOptions options(String name) {
    return new TideOptions().setDbPath(dir.resolve(name).toString());
  }

  static int buffered(Context ctx, ChangeStream s) {
    return on(ctx, () -> ((java.util.ArrayDeque<?>) ChangeStreamAndCloseTest.field(s, "buffer")).size());
  }

  /** Was a bug: an end handler that throws leaves the stream's close() future pending, and with it Tide.close(). */
  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void aThrowingEndHandlerDoesNotHangTideClose(Vertx vertx) {
    Tide tide = Tide.open(vertx, options("r1.db")).await();
    Context ctx = vertx.getOrCreateContext();
    ctx.exceptionHandler(e -> { });
    on(ctx, () -> tide.watch().handler(c -> { }).endHandler(v -> {
      throw new IllegalStateException("the app's bug in an end handler");
    }));
    Future<Void> closed = tide.close();
    org.awaitility.Awaitility.await().atMost(10, TimeUnit.SECONDS).until(closed::isComplete);
  }

  /** Was a bug: a change whose put() completed before close() was called reaches a stream registered before the put. */
  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void aChangeCommittedBeforeCloseIsDeliveredBeforeTheEnd(Vertx vertx) {
    Tide tide = Tide.open(vertx, options("r2a.db")).await();
    Context store = (Context) on(vertx.getOrCreateContext(), () -> {
      try {
        return ChangeStreamAndCloseTest.field(tide, "context");
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    List<String> events = new CopyOnWriteArrayList<>();
    Promise<Void> ended = Promise.promise();
    Future<Void> closed = on(store, () -> {
      tide.watch().handler(c -> events.add(c.id())).endHandler(v -> {
        events.add("end");
        ended.complete();
      });
      Promise<Void> p = Promise.promise();
      // a put, then close once it has committed
      tide.collection("notes").put("a", new JsonObject()).onSuccess(stamp -> tide.close().onComplete(p));
      return p.future();
    });
    closed.await();
    ended.future().await();
    assertEquals(List.of("a", "end"), events);
  }

  /** Was a bug: the same from a stream on another event loop: put().await() then close() from a plain thread. */
  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void aChangeCommittedBeforeCloseReachesAStreamOnAnotherEventLoop(Vertx vertx) throws Exception {
    Tide tide = Tide.open(vertx, options("r2b.db")).await();
    Object storeLoop = ((io.vertx.core.internal.ContextInternal) ChangeStreamAndCloseTest.field(tide, "context")).nettyEventLoop();
    Context ctx = vertx.getOrCreateContext();
    while (((io.vertx.core.internal.ContextInternal) ctx).nettyEventLoop() == storeLoop) { // another event loop than the store's
      ctx = ((io.vertx.core.internal.VertxInternal) vertx).createEventLoopContext();
    }
    List<String> events = new CopyOnWriteArrayList<>();
    Promise<Void> ended = Promise.promise();
    on(ctx, () -> tide.watch().handler(c -> events.add(c.id())).endHandler(v -> {
      events.add("end");
      ended.complete();
    }));
    CountDownLatch release = ChangeStreamAndCloseTest.holdBusy(ctx); // its event loop is busy until released
    tide.collection("notes").put("a", new JsonObject()).await(); // committed and published
    Future<Void> closed = tide.close();
    release.countDown();
    closed.await();
    ended.future().await();
    assertEquals(List.of("a", "end"), events);
  }

  /** Changes buffered by a paused stream (a pipe waiting for drain) are delivered before the end the store's close brings. */
  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void bufferedChangesAreNotSilentlyDroppedWhenTheStoreCloses(Vertx vertx) throws Exception {
    Tide tide = Tide.open(vertx, options("r2c.db")).await();
    Semaphore published = published(vertx, tide);
    Context ctx = vertx.getOrCreateContext();
    List<String> events = new CopyOnWriteArrayList<>();
    Promise<Void> ended = Promise.promise();
    ChangeStream[] s0 = new ChangeStream[1];
    s0[0] = on(ctx, () -> tide.watch()
      .exceptionHandler(e -> events.add("error:" + e))
      .handler(c -> events.add(c.id()))
      .endHandler(v -> {
        events.add("end");
        ended.complete();
      }).pause());
    tide.collection("notes").put("a", new JsonObject()).await();
    tide.collection("notes").put("b", new JsonObject()).await();
    published.acquire(2);
    org.awaitility.Awaitility.await().until(() -> buffered(ctx, s0[0]) == 2); // both reached the stream's buffer
    tide.close().await(); // does not wait for the paused stream
    on(ctx, s0[0]::resume);
    ended.future().await();
    assertEquals(List.of("a", "b", "end"), events, "the stream ends after what it held");
  }

  /** Was a bug: a stream created before the store closed, given a handler after: it never ends and its consumer is kept. */
  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void aHandlerSetAfterTheStoreClosedEndsTheStream(Vertx vertx) throws Exception {
    Tide tide = Tide.open(vertx, options("r3.db")).await();
    Context ctx = vertx.getOrCreateContext();
    ChangeStream s = on(ctx, tide::watch); // e.g. made while wiring up, before a pipe is set
    Promise<Void> ended = Promise.promise();
    s.endHandler(v -> ended.tryComplete());
    tide.close().await();
    on(ctx, () -> s.handler(c -> { }));
    org.awaitility.Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() -> ended.future().isComplete());
    assertEquals(0, streams(tide).size(), "a closed store keeps the stream (and its event-bus consumer)");
  }

  /** Was a bug: a verticle that watched is undeployed (Vert.x unregisters its consumer): the store still keeps the stream. */
  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void anUndeployedVerticlesStreamIsNotKept(Vertx vertx) throws Exception {
    Tide tide = Tide.open(vertx, options("r4.db")).await();
    for (int i = 0; i < 5; i++) {
      String id = vertx.deployVerticle(new VerticleBase() {
        @Override
        public Future<?> start() {
          tide.watch().handler(c -> { });
          return Future.succeededFuture();
        }
      }).await();
      vertx.undeploy(id).await();
    }
    org.awaitility.Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() -> streams(tide).isEmpty());
    tide.close().await();
  }

  /** Was a bug: an exception handler that throws on a gap strands the changes buffered behind it until the next change. */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aThrowingExceptionHandlerDoesNotStrandTheRest(Vertx vertx) throws Exception {
    Tide tide = Tide.open(vertx, options("r5.db")).await();
    Semaphore published = published(vertx, tide);
    Context ctx = vertx.getOrCreateContext();
    ctx.exceptionHandler(e -> { });
    List<String> seen = new CopyOnWriteArrayList<>();
    ChangeStream s = on(ctx, () -> tide.watch().exceptionHandler(e -> {
      throw new IllegalStateException("app bug in exception handler");
    }).handler(c -> seen.add(c.id())).pause());
    int n = ChangeStream.DEFAULT_MAX_BUFFERED + 1; // one change dropped: a gap behind the buffered ones
    tide.batch(b -> {
      for (int i = 0; i < n; i++) {
        b.put("notes", "d" + i, new JsonObject());
      }
    }).await();
    published.acquire(n);
    on(ctx, () -> s.fetch(1)); // frees one slot, so a later change lands behind the gap
    org.awaitility.Awaitility.await().until(() -> seen.size() == 1);
    tide.collection("notes").put("a", new JsonObject()).await();
    published.acquire(1);
    on(ctx, s::resume);
    org.awaitility.Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> seen.contains("a"));
    tide.close().await();
  }

  /** Was a bug: handler(h) from a plain thread on a stream made on another event loop: a change committed right after is lost. */
  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void aHandlerSetFromAPlainThreadHearsTheNextCommit(Vertx vertx) throws Exception {
    Tide tide = Tide.open(vertx, options("r6.db")).await();
    Object storeLoop = ((io.vertx.core.internal.ContextInternal) ChangeStreamAndCloseTest.field(tide, "context")).nettyEventLoop();
    Context ctx = vertx.getOrCreateContext();
    while (((io.vertx.core.internal.ContextInternal) ctx).nettyEventLoop() == storeLoop) {
      ctx = ((io.vertx.core.internal.VertxInternal) vertx).createEventLoopContext();
    }
    ChangeStream s = on(ctx, tide::watch); // made in a verticle, say
    CountDownLatch release = ChangeStreamAndCloseTest.holdBusy(ctx); // its event loop is busy until released
    Promise<String> got = Promise.promise();
    s.handler(c -> got.tryComplete(c.id())); // from this plain thread
    tide.collection("notes").put("a", new JsonObject()).await();
    release.countDown();
    tide.collection("notes").put("b", new JsonObject()).await();
    assertEquals("a", got.future().await());
    tide.close().await();
  }

  /** Was a bug: piped into a chunked HTTP response read by a slow client: every change, in order, once. */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void pipeIntoAnHttpResponseWithBackPressure(Vertx vertx) throws Exception {
    Tide tide = Tide.open(vertx, options("r7.db")).await();
    int n = 3000;
    String pad = "x".repeat(2000);
    CountDownLatch piped = new CountDownLatch(1);
    io.vertx.core.http.HttpServer server = vertx.createHttpServer().requestHandler(req -> {
      io.vertx.core.http.HttpServerResponse resp = req.response().setChunked(true).setWriteQueueMaxSize(8 * 1024);
      tide.watch().pipeTo(new io.vertx.core.streams.WriteStream<Change>() {
        public io.vertx.core.streams.WriteStream<Change> exceptionHandler(io.vertx.core.Handler<Throwable> h) {
          resp.exceptionHandler(h);
          return this;
        }
        public Future<Void> write(Change c) {
          return resp.write(c.id() + " " + pad + "\n");
        }
        public Future<Void> end() {
          return resp.end();
        }
        public io.vertx.core.streams.WriteStream<Change> setWriteQueueMaxSize(int m) {
          resp.setWriteQueueMaxSize(m);
          return this;
        }
        public boolean writeQueueFull() {
          return resp.writeQueueFull();
        }
        public io.vertx.core.streams.WriteStream<Change> drainHandler(io.vertx.core.Handler<Void> h) {
          resp.drainHandler(h);
          return this;
        }
      });
      resp.write("ready\n");
      piped.countDown();
    });
    int port = server.listen(0).await().actualPort();
    io.vertx.core.http.HttpClient client = vertx.createHttpClient();
    io.vertx.core.http.HttpClientResponse resp = client.request(io.vertx.core.http.HttpMethod.GET, port, "localhost", "/")
      .compose(r -> r.send().map(x -> {
        x.pause(); // on the event loop, before any of the body can be handed over
        return x;
      })).await();
    StringBuilder text = new StringBuilder();
    Promise<Void> ended = Promise.promise();
    resp.handler(b -> text.append(b.toString())).endHandler(v -> ended.complete());
    assertTrue(piped.await(10, TimeUnit.SECONDS));
    tide.batch(b -> {
      for (int i = 0; i < n; i++) {
        b.put("notes", "d" + i, new JsonObject());
      }
    }).await();
    resp.fetch(1);
    org.awaitility.Awaitility.await().until(() -> text.indexOf("ready") >= 0);
    resp.resume();
    if (Boolean.getBoolean("r7.waitAll")) {
      org.awaitility.Awaitility.await().until(() -> text.indexOf("d" + (n - 1) + " ") >= 0);
    }
    tide.close().await();
    ended.future().await();
    String[] lines = text.toString().split("\n");
    List<String> ids = new java.util.ArrayList<>();
    for (String l : lines) {
      if (!l.equals("ready")) {
        ids.add(l.substring(0, l.indexOf(' ')));
      }
    }
    List<String> expected = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      expected.add("d" + i);
    }
    assertEquals(expected, ids);
  }

  /** Was a bug: after a watching worker verticle (own named pool) is undeployed, Tide.close() still completes. */
  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void closeCompletesAfterAWatchingWorkerVerticleIsUndeployed(Vertx vertx) throws Exception {
    Tide tide = Tide.open(vertx, options("r4b.db")).await();
    String id = vertx.deployVerticle(new VerticleBase() {
      @Override
      public Future<?> start() {
        tide.watch().handler(c -> { });
        return Future.succeededFuture();
      }
    }, new io.vertx.core.DeploymentOptions().setThreadingModel(io.vertx.core.ThreadingModel.WORKER).setWorkerPoolName("r4b-pool")).await();
    vertx.undeploy(id).await();
    Future<Void> closed = tide.close();
    org.awaitility.Awaitility.await().atMost(10, TimeUnit.SECONDS).until(closed::isComplete);
  }
}
