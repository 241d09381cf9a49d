package dev.tide.tests.websocket;

import dev.tide.core.Change;
import dev.tide.core.SyncOptions;
import dev.tide.core.SyncResult;
import dev.tide.core.SyncRequest;
import dev.tide.core.SyncResponse;
import dev.tide.core.Tide;
import dev.tide.core.impl.TideImpl;
import dev.tide.core.spi.ForwardingSyncTransport;
import dev.tide.core.spi.SyncTransportFactory;
import dev.tide.server.TideServerOptions;
import dev.tide.server.impl.TideServerImpl;
import dev.tide.tests.core.FaultProxy;
import dev.tide.tests.core.Sql;
import dev.tide.tests.http.SyncFixture;
import dev.tide.tests.http.SyncFixtureTest;
import dev.tide.transport.websocket.WebSocketSyncTransport;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class LivePushTest extends SyncFixtureTest {

  /** A WebSocket client that never polls (interval of an hour): whatever reaches it quickly was pushed. */
  Tide ws(String name, Consumer<SyncOptions> more) {
    return fx.client(name, s -> {
      s.setTransport("websocket").setHeartbeatMs(200).setIntervalMs(3_600_000);
      more.accept(s);
    });
  }

  static SyncTransportFactory counting(AtomicInteger exchanges) {
    return SyncTransportFactory.of("counting-websocket", (vertx, options) ->
      new ForwardingSyncTransport(WebSocketSyncTransport.create(vertx, options)) {
        @Override
        public Future<SyncResponse> exchange(SyncRequest request) {
          exchanges.incrementAndGet();
          return delegate.exchange(request);
        }
      });
  }

  @Test
  void writesOnAReachBsFeedInOrderByPushAlone(Vertx vertx) {
    fx.startServer();
    Tide a = ws("a", s -> { });
    AtomicInteger bExchanges = new AtomicInteger();
    Tide b = ws("b", s -> s.setTransportFactory(counting(bExchanges)));
    a.startSync().await();
    b.startSync().await();
    a.initialSync().await();
    b.initialSync().await();
    int before = bExchanges.get();
    List<Change> seen = new CopyOnWriteArrayList<>();
    vertx.eventBus().<Change>consumer(b.collection("notes").address(), m -> seen.add(m.body()));

    for (int i = 0; i < 100; i++) {
      a.collection("notes").put(String.format("n%03d", i), new JsonObject().put("i", i)).await();
    }
    await().until(() -> seen.size() == 100);
    for (int i = 0; i < 100; i++) {
      assertEquals(String.format("n%03d", i), seen.get(i).id(), "commit order");
    }
    assertEquals(before, bExchanges.get(), "B made no request: every change was pushed");
    String epoch = String.valueOf(Sql.query(dir.resolve("a.db").toString(), "SELECT value FROM tide_meta WHERE key = 'cursor'")
      .get(0).get(0)).split("\\.")[0];
    await().until(() -> (epoch + "." + fx.server.store().lastSeq()).equals(
      Sql.query(dir.resolve("b.db").toString(), "SELECT value FROM tide_meta WHERE key = 'cursor'").get(0).get(0)));
    assertEquals(fx.serverState(), fx.clientState("b"));
  }

  /** A client that only calls syncOnce (never startSync) still gets live pushes between its syncs. */
  @Test
  void aClientThatOnlyCallsSyncOnceGetsLivePushes(Vertx vertx) {
    fx.startServer();
    Tide a = ws("a", s -> { });
    Tide b = ws("b", s -> { });
    a.syncOnce().await();
    b.syncOnce().await();
    List<Change> seen = new CopyOnWriteArrayList<>();
    vertx.eventBus().<Change>consumer(b.collection("notes").address(), m -> seen.add(m.body()));
    a.collection("notes").put("x", new JsonObject()).await();
    a.syncOnce().await();
    await().until(() -> seen.size() == 1);
  }

  /**
   * A client that only calls syncOnce gets live pushes again after its socket drops and the transport
   * reconnects on its own: the new socket's server side learns its position only from an exchange, so the
   * client makes one after reconnecting (PROTOCOL.md section 6, "Reconnect"); without it the client stays
   * connected and hears nothing until the app syncs again.
   */
  @Test
  void aClientThatOnlyCallsSyncOnceGetsLivePushesAgainAfterAReconnect(Vertx vertx) {
    fx.startServer();
    TideServerImpl server = (TideServerImpl) fx.server;
    proxy = FaultProxy.start(vertx, fx.port());
    Tide a = fx.client("a"); // over HTTP: the only WebSocket is B's
    Tide b = ws("b", s -> s.setUrl(SyncFixture.url(proxy.port())).setBackoffInitialMs(20).setBackoffMaxMs(100));
    b.syncOnce().await();
    assertEquals(1, server.webSocketConnections());
    proxy.down(true); // B's socket is cut; the transport reconnects by itself once the proxy is back
    await().until(() -> server.webSocketConnections() == 0);
    int accepted = proxy.connections();
    proxy.down(false);
    await().until(() -> proxy.connections() > accepted && server.webSocketConnections() == 1);

    List<Change> seen = new CopyOnWriteArrayList<>();
    vertx.eventBus().<Change>consumer(b.collection("notes").address(), m -> seen.add(m.body()));
    a.collection("notes").put("after-reconnect", new JsonObject()).await();
    a.syncOnce().await();
    await().atMost(java.time.Duration.ofSeconds(10)).until(() -> seen.size() == 1);
    assertEquals("after-reconnect", seen.get(0).id());
  }

  /**
   * Pushes that arrive while an earlier one is being applied are held for at most about one exchange's
   * page (the client's pullLimit); beyond that the client drops them and makes an exchange instead, which
   * brings the same changes. Before, every push that came while the store's writer was busy was queued,
   * so a client slower than the server's commits held an ever longer backlog in memory (the server's own
   * backpressure never saw it: the client kept reading).
   */
  @Test
  void pushesQueuedBehindABusyWriterAreBoundedAndNothingIsMissed(Vertx vertx) throws Exception {
    fx.startServer();
    Tide a = fx.client("a"); // over HTTP
    java.util.concurrent.atomic.AtomicReference<String> lastPushed = new java.util.concurrent.atomic.AtomicReference<>();
    TideImpl b = (TideImpl) ws("b", s -> s.setPullLimit(20).setTransportFactory(SyncTransportFactory.of("seen-websocket",
      (v, options) -> new ForwardingSyncTransport(WebSocketSyncTransport.create(v, options)) {
        @Override
        public void pushHandler(io.vertx.core.Handler<dev.tide.core.spi.PushedChanges> handler) {
          delegate.pushHandler(p -> {
            lastPushed.set(p.cursor());
            handler.handle(p);
          });
        }
      })));
    b.startSync().await();
    b.initialSync().await();
    // b's writer is held: the first push waits to be applied, the next ones arrive meanwhile
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    io.vertx.core.Promise<Void> holding = io.vertx.core.Promise.promise();
    b.writer().submit(new dev.tide.core.impl.WriteTask<dev.tide.core.impl.WriterStore, Void>(vertx.getOrCreateContext()) {
      @Override
      protected Void run(dev.tide.core.impl.WriterStore store, List<Change> events) throws java.sql.SQLException {
        holding.complete();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return null;
      }
    });
    holding.future().await();
    for (int i = 0; i < 100; i++) {
      a.collection("notes").put("q" + i, new JsonObject().put("i", i)).await();
      a.syncOnce().await(); // a commit, and a push, each
    }
    String last = String.valueOf(fx.server.store().lastSeq());
    await().until(() -> lastPushed.get() != null && lastPushed.get().endsWith("." + last)); // b has read every push
    b.syncStatus().await(); // and handled them (its context runs them in order, before this)
    int held = b.mostQueuedPushedChanges();
    release.countDown();
    await().until(() -> b.collection("notes").list().await().size() == 100);
    assertEquals(fx.serverState(), fx.clientState("b"));
    assertTrue(held <= 20, held + " pushed changes held in memory behind the busy writer");
  }

  /**
   * A push the store fails to apply (a write error: a full disk, the file read-only for a moment) leaves
   * the cursor where it was; the client then syncs after a backoff and catches up, instead of staying
   * behind, connected and reporting nothing, until the server happens to commit again.
   */
  @Test
  void aPushTheStoreFailsToApplyIsFetchedAgainLater(Vertx vertx) throws Exception {
    fx.startServer();
    Tide a = fx.client("a"); // over HTTP
    java.util.concurrent.atomic.AtomicInteger pushesSeen = new java.util.concurrent.atomic.AtomicInteger();
    TideImpl b = (TideImpl) ws("b", s -> s.setTransportFactory(SyncTransportFactory.of("seen-websocket",
      (v, options) -> new ForwardingSyncTransport(WebSocketSyncTransport.create(v, options)) {
        @Override
        public void pushHandler(io.vertx.core.Handler<dev.tide.core.spi.PushedChanges> handler) {
          delegate.pushHandler(p -> {
            pushesSeen.incrementAndGet();
            handler.handle(p);
          });
        }
      })));
    b.startSync().await();
    b.initialSync().await();
    failDocumentWrites("b", true); // every document write of b's store fails from here on
    a.collection("notes").put("x", new JsonObject()).await();
    a.syncOnce().await();
    await().until(() -> pushesSeen.get() == 1);
    b.syncStatus().await(); // b's context has taken the push and queued its apply on the writer
    b.writer().submit(new dev.tide.core.impl.WriteTask<dev.tide.core.impl.WriterStore, Void>(vertx.getOrCreateContext()) {
      @Override
      protected Void run(dev.tide.core.impl.WriterStore store, List<Change> events) {
        return null;
      }
    }).await(); // the writer has run the apply (it failed: the cursor did not move)
    assertEquals(null, b.collection("notes").get("x").await());
    failDocumentWrites("b", false); // the store works again, and the server commits nothing more
    await().atMost(java.time.Duration.ofSeconds(10)).until(() -> b.collection("notes").get("x").await() != null);
    assertEquals(fx.serverState(), fx.clientState("b"));
  }

  /** Makes writes of documents to a client's store fail (a trigger that aborts them), or succeed again. */
  void failDocumentWrites(String name, boolean fail) {
    String path = dir.resolve(name + ".db").toString();
    if (fail) {
      Sql.exec(path, "CREATE TABLE IF NOT EXISTS test_fail(x)", "INSERT INTO test_fail VALUES (1)",
        "CREATE TRIGGER IF NOT EXISTS test_fail_insert BEFORE INSERT ON tide_docs WHEN EXISTS (SELECT 1 FROM test_fail)"
          + " BEGIN SELECT RAISE(ABORT, 'injected write failure'); END",
        "CREATE TRIGGER IF NOT EXISTS test_fail_update BEFORE UPDATE ON tide_docs WHEN EXISTS (SELECT 1 FROM test_fail)"
          + " BEGIN SELECT RAISE(ABORT, 'injected write failure'); END");
    } else {
      Sql.exec(path, "DELETE FROM test_fail");
    }
  }

  /** After stopSync, pushes are not applied (nor do they start a sync); the next sync brings the changes. */
  @Test
  void afterStopSyncPushesWaitForTheNextSync(Vertx vertx) {
    fx.startServer();
    Tide a = ws("a", s -> { });
    AtomicInteger bExchanges = new AtomicInteger();
    Tide b = ws("b", s -> s.setTransportFactory(counting(bExchanges)));
    Tide c = ws("c", s -> { });
    for (Tide t : List.of(a, b, c)) {
      t.startSync().await();
      t.initialSync().await();
    }
    b.stopSync().await();
    int before = bExchanges.get();
    List<Change> seenByC = new CopyOnWriteArrayList<>();
    vertx.eventBus().<Change>consumer(c.collection("notes").address(), m -> seenByC.add(m.body()));
    List<Change> seenByB = new CopyOnWriteArrayList<>();
    vertx.eventBus().<Change>consumer(b.collection("notes").address(), m -> seenByB.add(m.body()));
    a.collection("notes").put("x", new JsonObject()).await();
    await().until(() -> seenByC.size() == 1); // pushed to every socket at once, B's too
    SyncResult r = b.syncOnce().await();
    assertEquals(1, r.pulled(), "B had not applied the push");
    assertEquals(before + 1, bExchanges.get(), "the push did not make B sync on its own");
    await().until(() -> seenByB.size() == 1); // announced after the sync's commit
  }

  /**
   * A write made while sync is idle is pushed with the outbox batch the writer read right after its
   * commit, not one read again on the reader thread; each reaches B once, in order, and A's outbox empties.
   */
  @Test
  void idleWritesArePushedWithTheBatchReadAtTheirCommit(Vertx vertx) {
    fx.startServer();
    TideImpl a = (TideImpl) ws("a", s -> { });
    Tide b = ws("b", s -> { });
    a.startSync().await();
    b.startSync().await();
    a.initialSync().await();
    b.initialSync().await();
    List<Change> seen = new CopyOnWriteArrayList<>();
    vertx.eventBus().<Change>consumer(b.collection("notes").address(), m -> seen.add(m.body()));
    long before = a.runsWithPrefetchedOutbox();
    for (int i = 0; i < 30; i++) {
      a.collection("notes").put("p" + i, new JsonObject().put("i", i)).await();
      await().until(() -> a.pendingCount().await() == 0); // sync is idle again before the next write
      a.collection("notes").put("p" + i, new JsonObject().put("i", -i)).await(); // the same document again
      await().until(() -> a.pendingCount().await() == 0);
    }
    await().until(() -> seen.size() == 60);
    for (int i = 0; i < 60; i++) {
      assertEquals("p" + i / 2, seen.get(i).id());
      assertEquals(i % 2 == 0 ? i / 2 : -(i / 2), seen.get(i).doc().getInteger("i"));
    }
    assertTrue(a.runsWithPrefetchedOutbox() - before >= 50, (a.runsWithPrefetchedOutbox() - before) + " of 60 runs");
    assertEquals(fx.serverState(), fx.clientState("b"));
    assertEquals(fx.serverState(), fx.clientState("a"));
  }

  /** Opened from a thread outside Vert.x, the store's transport still lives on the store's context. */
  @Test
  void theTransportSharesTheStoresContext() {
    fx.startServer();
    java.util.concurrent.atomic.AtomicReference<io.vertx.core.Context> transportContext = new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.atomic.AtomicReference<io.vertx.core.Context> engineContext = new java.util.concurrent.atomic.AtomicReference<>();
    Tide a = ws("a", s -> s.setTransportFactory(SyncTransportFactory.of("websocket-on", (vertx, options) -> {
      transportContext.set(Vertx.currentContext());
      return new ForwardingSyncTransport(WebSocketSyncTransport.create(vertx, options)) {
        @Override
        public Future<SyncResponse> exchange(SyncRequest request) {
          engineContext.set(Vertx.currentContext()); // the sync engine calls from the store's context
          return delegate.exchange(request);
        }
      };
    })));
    a.syncOnce().await();
    assertEquals(engineContext.get(), transportContext.get());
  }

  @Test
  void serverRestartClientsReconnectAndConverge() {
    fx.startServer();
    Tide a = ws("a", s -> { });
    Tide b = ws("b", s -> { });
    a.startSync().await();
    b.startSync().await();
    a.initialSync().await();
    b.initialSync().await();
    fx.stopServer();
    for (int i = 0; i < 10; i++) {
      a.collection("notes").put("r" + i, new JsonObject()).await();
    }
    fx.startServer(); // same port, same file
    await().until(() -> a.pendingCount().await() == 0);
    await().until(() -> b.collection("notes").list().await().size() == 10);
    assertEquals(fx.serverState(), fx.clientState("b"));
  }

  @Test
  void aClientOfflineDuringAThousandWritesCatchesUp(Vertx vertx) {
    fx.startServer();
    proxy = FaultProxy.start(vertx, fx.port());
    Tide a = ws("a", s -> { });
    Tide b = ws("b", s -> s.setUrl(SyncFixture.url(proxy.port())));
    a.startSync().await();
    b.startSync().await();
    b.initialSync().await();
    proxy.down(true);
    for (int k = 0; k < 10; k++) {
      int base = k * 100;
      a.batch(batch -> {
        for (int i = base; i < base + 100; i++) {
          batch.put("notes", "o" + i, new JsonObject().put("i", i));
        }
      }).await();
    }
    await().until(() -> a.pendingCount().await() == 0);
    proxy.down(false);
    await().until(() -> b.collection("notes").list().await().size() == 1000);
    assertEquals(fx.serverState(), fx.clientState("b"));
  }

  @Test
  void heartbeatsDetectADeadConnection(Vertx vertx) {
    fx.startServer(new TideServerOptions().setWsIdleTimeoutSeconds(1), null, null);
    proxy = FaultProxy.start(vertx, fx.port());
    Tide a = ws("a", s -> { });
    Tide b = ws("b", s -> s.setUrl(SyncFixture.url(proxy.port())).setHeartbeatMs(100));
    a.startSync().await();
    b.startSync().await();
    b.initialSync().await();
    a.initialSync().await();
    proxy.blackholeExisting(); // B's socket goes silent without closing
    a.collection("notes").put("after", new JsonObject()).await();
    // only a heartbeat timeout makes B drop the dead socket, reconnect and catch up
    await().until(() -> b.collection("notes").get("after").await() != null);
    // the server closed its end of the dead socket too (no pongs for its idle timeout)
    TideServerImpl server = (TideServerImpl) fx.server;
    await().until(() -> server.webSocketConnections() == 2);
  }
}
