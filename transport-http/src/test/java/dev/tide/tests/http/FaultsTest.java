package dev.tide.tests.http;

import dev.tide.core.SyncException;
import dev.tide.core.SyncResult;
import dev.tide.core.SyncStatus;
import dev.tide.core.SyncUnreachableException;
import dev.tide.core.Tide;
import dev.tide.server.TideServerOptions;
import dev.tide.tests.core.FaultProxy;
import dev.tide.tests.core.Sql;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class FaultsTest extends SyncFixtureTest {

  Tide viaProxy(String name, java.util.function.Consumer<dev.tide.core.SyncOptions> more) {
    return fx.client(name, s -> {
      s.setUrl(SyncFixture.url(proxy.port()));
      more.accept(s);
    });
  }

  @Test
  void lostResponseIsRetriedWithoutDuplicates(Vertx vertx) {
    fx.startServer();
    proxy = FaultProxy.start(vertx, fx.port());
    Tide a = viaProxy("a", s -> { });
    a.syncOnce().await(); // the pull of its own writes after opening, which holds pushes back until done
    for (int i = 0; i < 3; i++) {
      a.collection("notes").put("n" + i, new JsonObject().put("i", i)).await();
    }
    proxy.dropNextResponses(1);
    assertThrows(SyncUnreachableException.class, () -> a.syncOnce().await());
    assertEquals(1, proxy.droppedResponses());
    assertEquals(SyncStatus.State.OFFLINE, a.syncStatus().await().state());
    // the server committed before answering; the client does not know and keeps its outbox
    assertEquals(3, fx.serverState().size());
    long seq = fx.server.store().lastSeq();
    assertEquals(3L, a.pendingCount().await());

    SyncResult retry = a.syncOnce().await();
    assertEquals(3, retry.pushed());
    assertEquals(0L, a.pendingCount().await());
    assertEquals(seq, fx.server.store().lastSeq(), "the replay changed nothing twice");
    Tide b = fx.client("b");
    assertEquals(3, b.syncOnce().await().pulled(), "each change exactly once");
    assertEquals(fx.serverState(), fx.clientState("a"));
  }

  @Test
  void serverDownThenBackConvergesWithoutAnyManualStep(Vertx vertx) {
    fx.startServer();
    proxy = FaultProxy.start(vertx, fx.port());
    Tide a = viaProxy("a", s -> s.setIntervalMs(100));
    List<SyncStatus> statuses = new CopyOnWriteArrayList<>();
    vertx.eventBus().<JsonObject>consumer(a.statusAddress(), m -> statuses.add(SyncStatus.fromJson(m.body())));
    a.startSync().await();
    proxy.down(true);
    for (int i = 0; i < 10; i++) {
      a.collection("notes").put("w" + i, new JsonObject()).await();
    }
    await().until(() -> statuses.stream().anyMatch(s -> s.state() == SyncStatus.State.OFFLINE && s.pending() >= 10));
    assertTrue(a.pendingCount().await() >= 10);
    assertTrue(fx.serverState().size() < 10);

    proxy.down(false);
    await().until(() -> a.pendingCount().await() == 0);
    assertEquals(10, fx.serverState().size());
    await().until(() -> a.syncStatus().await().state() == SyncStatus.State.IDLE);
    assertNull(a.syncStatus().await().lastError());
  }

  @Test
  void expiredTokenIsRefreshedOnceThenUnauthorizedBacksOff(Vertx vertx) {
    AtomicInteger valid = new AtomicInteger(2); // the server accepts token "t2" only
    fx.startServer(new TideServerOptions(), headers -> ("Bearer t" + valid.get()).equals(headers.get("Authorization"))
      ? Future.succeededFuture("alice") : Future.failedFuture("expired token"), null);
    AtomicInteger issued = new AtomicInteger();
    List<Long> calls = new CopyOnWriteArrayList<>();
    Tide a = fx.client("a", s -> s.setBackoffInitialMs(200).setBackoffMaxMs(400).setHeadersProvider(() -> {
      calls.add(System.nanoTime());
      return Future.succeededFuture(Map.of("Authorization", "Bearer t" + Math.min(2, issued.incrementAndGet())));
    }));
    a.collection("notes").put("x", new JsonObject()).await();
    // the pull after opening: t1 refused, refreshed to t2, retried once; then the push with t2
    assertEquals(1, a.syncOnce().await().pushed());
    assertEquals(3, calls.size());

    valid.set(1000); // every token is now wrong
    SyncException e = assertInstanceOf(SyncException.class, catchIt(a));
    assertEquals(401, e.status());
    assertEquals(SyncStatus.State.UNAUTHORIZED, a.syncStatus().await().state());
    int before = calls.size();
    a.startSync().await();
    await().until(() -> calls.size() >= before + 6); // three more attempts, two header calls each
    a.stopSync().await();
    // no tight loop: attempts are spaced by the backoff (>= 50% of 200 ms), the refresh is immediate
    for (int i = before + 2; i + 1 < calls.size(); i += 2) {
      long gapMs = (calls.get(i) - calls.get(i - 1)) / 1_000_000;
      assertTrue(gapMs >= 90, "retry after " + gapMs + " ms");
    }
  }

  private static Throwable catchIt(Tide a) {
    try {
      a.syncOnce().await();
      throw new AssertionError("expected a failure");
    } catch (Throwable t) {
      return t;
    }
  }

  @Test
  void aReplacedServerDatabaseResetsTheCursorAndKeepsPendingWrites() throws Exception {
    fx.startServer();
    Tide a = fx.client("a");
    a.collection("notes").put("old", new JsonObject()).await();
    a.syncOnce().await();
    fx.stopServer();
    for (String f : new String[]{"server.db", "server.db-wal", "server.db-shm"}) {
      Files.deleteIfExists(dir.resolve(f));
    }
    fx.startServer(); // a new, empty database with a new epoch
    Tide other = fx.client("other");
    other.collection("notes").put("new", new JsonObject()).await();
    other.syncOnce().await();

    a.collection("notes").put("pending", new JsonObject()).await();
    SyncResult r = a.syncOnce().await(); // 409 reset_required, then a full pull
    assertTrue(r.exchanges() >= 2);
    assertEquals(0L, a.pendingCount().await());
    assertTrue(fx.serverState().containsKey("notes/pending"));
    assertTrue(fx.clientState("a").containsKey("notes/new"));
    assertTrue(fx.serverState().containsKey("notes/old"), "the client's confirmed writes refill the replaced database");
  }

  @Test
  void tooManyOpsShrinksThePushBatch() {
    fx.startServer(new TideServerOptions().setMaxOpsPerRequest(10), null, null);
    Tide a = fx.client("a", s -> s.setPushBatchOps(64));
    List<Future<dev.tide.core.Stamp>> puts = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      puts.add(a.collection("notes").put("p" + i, new JsonObject()));
    }
    Future.all(puts).await();
    SyncResult r = a.syncOnce().await();
    assertEquals(100, r.pushed());
    assertEquals(100, fx.serverState().size());
  }

  /** pushBatchBytes counts UTF-8 bytes: 2-byte text fills a push in half the chars. */
  @Test
  void pushBatchBytesCountsUtf8Bytes() {
    fx.startServer(new TideServerOptions(), null, null);
    Tide a = fx.client("a", s -> s.setPushBatchBytes(5000));
    a.syncOnce().await(); // the pull of its own writes after opening, which holds pushes back until done
    List<Future<dev.tide.core.Stamp>> puts = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      puts.add(a.collection("notes").put("p" + i, new JsonObject().put("s", "\u00e9".repeat(1000))));
    }
    Future.all(puts).await();
    SyncResult r = a.syncOnce().await();
    assertEquals(9, r.pushed());
    // 2,108 bytes an op (with the 100 counted for its envelope): 3 ops pass 5,000 bytes, so 3 pushes
    assertEquals(3, r.exchanges());
  }

  @Test
  void anOpTheServerFindsInvalidIsDroppedAlone(Vertx vertx) {
    fx.startServer(new TideServerOptions().setMaxDocumentBytes(100), null, null);
    Tide a = fx.client("a");
    List<JsonObject> rejected = new CopyOnWriteArrayList<>();
    vertx.eventBus().<JsonObject>consumer("a.sync.rejected", m -> rejected.add(m.body()));
    a.collection("notes").put("small", new JsonObject().put("s", "x")).await();
    a.collection("notes").put("large", new JsonObject().put("s", "x".repeat(200))).await();
    a.collection("notes").put("small2", new JsonObject()).await();
    SyncResult r = a.syncOnce().await();
    assertEquals(1, r.rejected());
    assertEquals(0L, a.pendingCount().await());
    assertEquals(2, fx.serverState().size());
    await().until(() -> rejected.size() == 1);
    assertEquals("large", rejected.get(0).getString("id"));
    assertEquals("invalid_request", rejected.get(0).getString("code"));
    // the server's words about the op, not the status line nor where the op sat in the push
    assertEquals("doc: is larger than this server's limit of 100 bytes", rejected.get(0).getString("message"));
  }

  /** A server or proxy that answers with an endless body fails the exchange; the client's heap is not its buffer. */
  @Test
  void aResponseOverTheMessageLimitFailsTheExchange(Vertx vertx) {
    io.vertx.core.buffer.Buffer mib = io.vertx.core.buffer.Buffer.buffer(new byte[1 << 20]);
    AtomicInteger sent = new AtomicInteger();
    io.vertx.core.http.HttpServer endless = vertx.createHttpServer().requestHandler(req -> req.body().onComplete(b -> {
      req.response().setChunked(true).putHeader("Content-Type", "application/json").write("{\"pad\":\"");
      vertx.setPeriodic(1, id -> {
        if (req.response().closed() || sent.get() >= 200) {
          vertx.cancelTimer(id);
        } else if (!req.response().writeQueueFull()) {
          req.response().write(mib);
          sent.incrementAndGet();
        }
      });
    })).listen(0, "127.0.0.1").await();
    try {
      Tide a = fx.client("a", s -> s.setUrl(SyncFixture.url(endless.actualPort())));
      a.collection("notes").put("x", new JsonObject()).await();
      RuntimeException e = assertThrows(RuntimeException.class, () -> a.syncOnce().await());
      assertTrue(e.getMessage().contains("response body over"), e.toString());
      assertTrue(sent.get() < 100, "the client stopped reading near 32 MiB, not at the end: " + sent.get() + " MiB sent");
      assertEquals(1L, a.pendingCount().await());
    } finally {
      endless.close().await();
    }
  }

  /** A server that never answers does not hold close() until the request times out (30 s here). */
  @Test
  @org.junit.jupiter.api.Timeout(20)
  void closeEndsAnExchangeInFlight(Vertx vertx) {
    io.vertx.core.http.HttpServer silent = vertx.createHttpServer().requestHandler(req -> { }) // never answers
      .listen(0, "127.0.0.1").await();
    try {
      Tide a = fx.client("a", s -> s.setUrl(SyncFixture.url(silent.actualPort())).setRequestTimeoutMs(30_000));
      a.collection("notes").put("x", new JsonObject()).await();
      Future<?> sync = a.syncOnce();
      long t0 = System.nanoTime();
      a.close().await();
      assertTrue(sync.failed(), "the exchange in flight ended with the close");
      assertTrue(System.nanoTime() - t0 < 10_000_000_000L, "close took " + (System.nanoTime() - t0) / 1_000_000 + " ms");
      assertEquals(1L, Sql.count(dir.resolve("a.db").toString(), "SELECT count(*) FROM tide_outbox"), "the write is still pending");
    } finally {
      silent.close().await();
    }
  }
}
