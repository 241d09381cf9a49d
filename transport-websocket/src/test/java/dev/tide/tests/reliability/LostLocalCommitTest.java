package dev.tide.tests.reliability;

import dev.tide.core.SyncException;
import dev.tide.core.SyncRequest;
import dev.tide.core.SyncResponse;
import dev.tide.core.Tide;
import dev.tide.core.spi.ForwardingSyncTransport;
import dev.tide.core.spi.PushedChanges;
import dev.tide.core.spi.SyncTransportFactory;
import dev.tide.tests.http.SyncFixture;
import dev.tide.transport.websocket.WebSocketSyncTransport;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * With synchronous=NORMAL (the default) the last commits before a power loss may be gone: those after the
 * last one forced to disk (a store forces its open, and the end of the pull of its own writes after it).
 * Simulated here by copying the open client's files at a commit after that, and restoring them after its
 * later writes and syncs, which the server had committed. The client's clock goes back with them, and
 * pulls skip a client's own writes.
 */
@ExtendWith(VertxExtension.class)
class LostLocalCommitTest {

  @TempDir
  Path dir;

  private SyncFixture fx;
  private String transport;

  private Tide open() {
    return fx.client("a", s -> s.setTransport(transport));
  }

  private Tide open(String name) {
    return fx.client(name, s -> s.setTransport(transport));
  }

  private Path[] files() {
    return new Path[] {dir.resolve("a.db"), dir.resolve("a.db-wal")};
  }

  /** Copies the client's files aside, as they are after its last commit (nothing is being written). */
  private void snapshot() throws Exception {
    for (Path f : files()) {
      if (Files.exists(f)) {
        Files.copy(f, dir.resolve(f.getFileName() + ".snap"), StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  /** The power loss: the closed client's files are as they were at the snapshot (SQLite rebuilds the -shm index). */
  private void restore() throws Exception {
    Files.deleteIfExists(dir.resolve("a.db-shm"));
    for (Path f : files()) {
      Path snap = dir.resolve(f.getFileName() + ".snap");
      if (Files.exists(snap)) {
        Files.copy(snap, f, StandardCopyOption.REPLACE_EXISTING);
      } else {
        Files.deleteIfExists(f);
      }
    }
  }

  private static JsonObject v(int v) {
    return new JsonObject().put("v", v);
  }

  /** Client a and a new client b hold {@code expected} for notes/{@code id}, and a has nothing pending. */
  private void assertConverged(Tide a, String id, JsonObject expected) {
    assertEquals(0L, a.pendingCount().await(), "a's writes were all acknowledged");
    assertEquals(expected, a.collection("notes").get(id).await(), "a's " + id);
    Tide b = open("b" + System.nanoTime());
    b.syncOnce().await();
    assertEquals(expected, b.collection("notes").get(id).await(),
      "another client's " + id + " (server has " + fx.serverState().get("notes/" + id) + ")");
  }

  @AfterEach
  void tearDown() {
    if (fx != null) {
      fx.close();
    }
  }

  /** Pushes what a wrote since the snapshot, then loses it: a's files go back to the snapshot. Reopens a. */
  private Tide syncedThenLost(Tide a) throws Exception {
    a.syncOnce().await();
    a.close().await();
    restore();
    return open();
  }

  /** Client a synced the seed, and its files are copied aside. */
  private Tide seeded(Vertx vertx, String transport) throws Exception {
    this.transport = transport;
    fx = new SyncFixture(vertx, dir).startServer();
    Tide a = open();
    a.collection("notes").put("seed", v(0)).await();
    a.syncOnce().await();
    snapshot();
    return a;
  }

  /**
   * The client's next write reuses the stamp the server holds. Was a bug: the server took it for a replay
   * ("applied", nothing stored), and the write reached no one.
   */
  @ParameterizedTest
  @ValueSource(strings = {"http", "websocket"})
  void aWriteReusingALostStampReachesEveryone(String transport, Vertx vertx) throws Exception {
    Tide a = seeded(vertx, transport);
    a.collection("notes").put("x", v(1)).await();
    a = syncedThenLost(a);
    a.collection("notes").put("x", v(2)).await();
    a.syncOnce().await();
    assertConverged(a, "x", v(2));
  }

  /**
   * Was a bug: the new write's counter fell below the lost write's, so it lost on the server ("superseded")
   * while its writer kept it: the two disagreed until the document was written again.
   */
  @ParameterizedTest
  @ValueSource(strings = {"http", "websocket"})
  void aWriteMadeAfterTheLossBeatsTheLostWriteAboveIt(String transport, Vertx vertx) throws Exception {
    Tide a = seeded(vertx, transport);
    a.collection("notes").put("f", v(1)).await();
    a.collection("notes").put("x", v(1)).await(); // the lost write of x, one counter above the write of f
    a = syncedThenLost(a);
    a.collection("notes").put("x", v(2)).await(); // f's counter, below the lost x
    a.syncOnce().await();
    assertConverged(a, "x", v(2));
    assertEquals(v(1), a.collection("notes").get("f").await(), "the lost write of f came back to a");
  }

  /** Was a bug: pulls skip a client's own writes, so a write it lost never came back to it. */
  @ParameterizedTest
  @ValueSource(strings = {"http", "websocket"})
  void aLostWriteComesBackToItsWriter(String transport, Vertx vertx) throws Exception {
    Tide a = seeded(vertx, transport);
    a.collection("notes").put("y", v(1)).await();
    a.collection("notes").delete("seed").await();
    a = syncedThenLost(a);
    a.syncOnce().await();
    assertConverged(a, "y", v(1));
    assertEquals(null, a.collection("notes").get("seed").await(), "the lost delete came back to a");
  }

  /** A write still pending from before the loss is older than the lost write of its document, which wins. */
  @Test
  void aPendingWriteFromBeforeTheLossLosesToTheLostWrite(Vertx vertx) throws Exception {
    Tide a = seeded(vertx, "http");
    a.collection("notes").put("x", v(1)).await(); // never pushed
    snapshot();
    a.collection("notes").put("x", v(2)).await();
    a = syncedThenLost(a);
    assertEquals(v(1), a.collection("notes").get("x").await(), "a's files are back before x=2");
    a.syncOnce().await();
    assertConverged(a, "x", v(2));
  }

  /** A store opened again offline after the loss still treats the writes of the first open as newer. */
  @Test
  void theCheckSpansOpensUntilItRan(Vertx vertx) throws Exception {
    Tide a = seeded(vertx, "http");
    a.collection("notes").put("f", v(1)).await();
    a.collection("notes").put("x", v(1)).await();
    a = syncedThenLost(a);
    a.collection("notes").put("x", v(2)).await(); // offline: no sync before the next close
    a.close().await();
    a = open();
    a.collection("notes").put("z", v(3)).await();
    a.syncOnce().await();
    assertConverged(a, "x", v(2));
    assertEquals(v(3), a.collection("notes").get("z").await());
  }

  /** The server's database is replaced: the next sync gets 409 database_changed. */
  private void replaceServerDatabase() throws Exception {
    fx.stopServer();
    for (String suffix : new String[] {"", "-wal", "-shm"}) {
      Files.deleteIfExists(dir.resolve("server.db" + suffix));
    }
    fx.startServer();
  }

  /**
   * The lost write of x comes back with its counter, which a's next write (of y) reused: two of a's
   * documents hold the same stamp counter. After database_changed every own document is queued again,
   * keyed by counter (INSERT OR IGNORE): one of the two was not, and the new server never got it.
   */
  @Test
  void aDatabaseChangedResetAfterTheLossPushesEveryOwnDocument(Vertx vertx) throws Exception {
    Tide a = seeded(vertx, "http");
    a.collection("notes").put("x", v(1)).await(); // the lost write, counter s+1
    a = syncedThenLost(a);
    a.collection("notes").put("y", v(2)).await(); // counter s+1 again
    a.syncOnce().await();
    assertEquals(v(1), a.collection("notes").get("x").await(), "the lost write of x came back to a");
    replaceServerDatabase();
    a.syncOnce().await(); // 409 database_changed: a pushes its own documents again
    assertEquals(0L, a.pendingCount().await());
    java.util.Map<String, JsonObject> server = fx.serverState();
    assertEquals(v(1), server.get("notes/x") == null ? null : server.get("notes/x").getJsonObject("doc"), "x on the new server: " + server);
    assertEquals(v(2), server.get("notes/y") == null ? null : server.get("notes/y").getJsonObject("doc"), "y on the new server: " + server);
  }

  /**
   * Same reused counter; the server rejects the new write of y. The rejection is kept by counter, so
   * the confirmed document x (its lost write, come back) was reported rejected too.
   */
  @Test
  void aRejectedWriteReusingALostCounterLeavesTheLostWriteConfirmed(Vertx vertx) throws Exception {
    this.transport = "http";
    fx = new SyncFixture(vertx, dir).startServer(new dev.tide.server.TideServerOptions().setMaxDocumentBytes(64), null, null);
    Tide a = open();
    a.collection("notes").put("seed", v(0)).await();
    a.syncOnce().await();
    snapshot();
    a.collection("notes").put("x", v(1)).await(); // the lost write, counter s+1
    a = syncedThenLost(a);
    a.collection("notes").put("y", new JsonObject().put("big", "z".repeat(200))).await(); // counter s+1, refused
    a.syncOnce().await();
    assertEquals(true, a.collection("notes").document("y").await().rejected(), "y was rejected");
    dev.tide.core.Document x = a.collection("notes").document("x").await();
    assertEquals(v(1), x.doc());
    assertEquals(false, x.rejected(), "x is the server's state, not a rejected write");
  }

  /**
   * The pull after opening runs a page at a time and is cut off after its first page (the client closes);
   * opened again, it goes on from there: the writes made since the first open still win over the lost ones.
   */
  @Test
  void anOwnPullCutOffAfterItsFirstPageGoesOnAfterTheNextOpen(Vertx vertx) throws Exception {
    Tide a = seeded(vertx, "http");
    a.collection("notes").put("x", v(1)).await();
    a.collection("notes").put("y", v(1)).await();
    a.collection("notes").put("z", v(1)).await();
    a.syncOnce().await();
    a.close().await();
    restore();
    java.util.concurrent.atomic.AtomicInteger exchanges = new java.util.concurrent.atomic.AtomicInteger();
    a = fx.client("a", s -> s.setPullLimit(1).setTransportFactory(dev.tide.core.spi.SyncTransportFactory.of("cut", (vx, o) ->
      new dev.tide.core.spi.ForwardingSyncTransport(dev.tide.transport.http.HttpSyncTransport.create(vx, o)) {
        @Override
        public io.vertx.core.Future<dev.tide.core.SyncResponse> exchange(dev.tide.core.SyncRequest request) {
          return exchanges.incrementAndGet() == 1 ? delegate.exchange(request)
            : io.vertx.core.Future.failedFuture(new io.vertx.core.VertxException("cut off", true));
        }
      })));
    a.collection("notes").put("y", v(2)).await(); // reuses x's counter
    a.collection("notes").put("z", v(2)).await(); // reuses y's counter
    Tide cut = a;
    org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> cut.syncOnce().await());
    assertEquals(2, exchanges.get());
    a.close().await();
    a = open();
    a.collection("notes").put("w", v(3)).await();
    a.syncOnce().await();
    assertConverged(a, "x", v(1));
    assertConverged(a, "y", v(2));
    assertConverged(a, "z", v(2));
    assertConverged(a, "w", v(3));
  }

  /**
   * While a store's pull of its own writes after opening runs, a server push starts an exchange instead of
   * being applied (it leaves own writes out). After a failure that exchange waits for the backoff like any
   * retry: pushes bypassed it, so every push to a client whose pull failed sent the server a request at once.
   */
  @Test
  void aPushDuringAFailedPullOfOwnWritesWaitsForTheBackoff(Vertx vertx) {
    fx = new SyncFixture(vertx, dir).startServer();
    Tide b = fx.client("b");
    for (int i = 0; i < 3; i++) {
      b.collection("notes").put("n" + i, new JsonObject()).await();
    }
    b.syncOnce().await();

    AtomicInteger exchanges = new AtomicInteger();
    AtomicInteger pushes = new AtomicInteger();
    Tide a = fx.client("a", s -> s.setTransport("websocket").setPullLimit(1).setBackoffInitialMs(600_000).setBackoffMaxMs(600_000)
      .setTransportFactory(SyncTransportFactory.of("second-fails", (v, o) -> new ForwardingSyncTransport(WebSocketSyncTransport.create(v, o)) {
        @Override
        public Future<SyncResponse> exchange(SyncRequest request) {
          // the pull's first page gets through (the server now pushes to this socket), its second fails
          return exchanges.incrementAndGet() == 2 ? Future.failedFuture(new SyncException(503, "unavailable", "down", null))
            : delegate.exchange(request);
        }

        @Override
        public void pushHandler(Handler<PushedChanges> handler) {
          delegate.pushHandler(push -> {
            pushes.incrementAndGet();
            handler.handle(push);
          });
        }
      })));
    a.startSync().await();
    await().until(() -> a.syncStatus().await().lastError() != null);
    assertEquals(2, exchanges.get());

    b.collection("notes").put("later", new JsonObject()).await();
    b.syncOnce().await();
    await().until(() -> pushes.get() == 1);
    a.syncStatus().await(); // runs on a's context after the push was handled there
    assertEquals(2, exchanges.get(), "the push waits for the retry timer");
    assertNull(a.collection("notes").get("later").await(), "nothing applied");
  }
}
