package dev.tide.tests.http;

import dev.tide.core.Change;
import dev.tide.core.Document;
import dev.tide.core.ChangeSource;
import dev.tide.core.Stamp;
import dev.tide.core.SyncProtocol;
import dev.tide.core.SyncResult;
import dev.tide.core.spi.ForwardingSyncTransport;
import dev.tide.core.spi.PushedChanges;
import dev.tide.core.spi.SyncTransportFactory;
import dev.tide.core.Tide;
import dev.tide.server.TideServerOptions;
import dev.tide.server.spi.ForwardingServerStore;
import dev.tide.server.spi.PullPage;
import dev.tide.server.spi.ServerStore;
import dev.tide.tests.core.Sql;
import dev.tide.transport.http.HttpSyncTransport;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Cursors and resets around purged tombstones (PROTOCOL.md, "Cursors" and "Tombstone retention"). */
@ExtendWith(VertxExtension.class)
class PurgedHistoryTest extends SyncFixtureTest {

  /** A new client pages through a server whose newest row was a purged tombstone (it was refused after page 1). */
  @Test
  void aNewClientPagesThroughAServerThatPurgedTombstones() {
    fx.startServer();
    Tide a = fx.client("a");
    for (int i = 1; i <= 3; i++) {
      a.collection("notes").put("k" + i, new JsonObject()).await();
    }
    a.collection("notes").put("gone", new JsonObject()).await();
    a.syncOnce().await();
    a.collection("notes").delete("gone").await();
    a.syncOnce().await();
    fx.server.store().purgeTombstones(System.currentTimeMillis() + 1).await();

    Tide c = fx.client("c", s -> s.setPullLimit(1)); // pages of 1 stand for a server with more than a page
    SyncResult r = c.syncOnce().await();
    assertEquals(3, c.collection("notes").list().await().size(), r.toString());
    assertEquals(3, r.exchanges(), "one page per document, no reset");
  }

  /** The cursor of a complete pull below the purged sequence is accepted: no reset on every later sync. */
  @Test
  void aFullPullAfterAPurgeEndsAtACursorTheServerAccepts() {
    fx.startServer();
    Tide a = fx.client("a");
    a.collection("notes").put("keep", new JsonObject()).await();
    a.collection("notes").put("x", new JsonObject()).await();
    a.collection("notes").delete("x").await();
    a.syncOnce().await();
    fx.server.store().purgeTombstones(System.currentTimeMillis() + 1).await();

    Tide c = fx.client("c");
    assertEquals(1, c.syncOnce().await().exchanges());
    for (int i = 0; i < 3; i++) {
      assertEquals(1, c.syncOnce().await().exchanges(), "sync " + i + " after a full pull needs no reset");
    }
  }

  /** A client that had a document, whose delete it had not seen was purged since, still resets and drops it. */
  @Test
  void aDeleteMissedBeforeAPurgeStillResets() {
    fx.startServer();
    Tide a = fx.client("a");
    Tide c = fx.client("c");
    a.collection("notes").put("x", new JsonObject()).await();
    a.collection("notes").put("y", new JsonObject()).await();
    a.syncOnce().await();
    c.syncOnce().await();
    a.collection("notes").delete("x").await();
    a.syncOnce().await();
    fx.server.store().purgeTombstones(System.currentTimeMillis() + 1).await();
    a.collection("notes").put("z", new JsonObject()).await();
    a.syncOnce().await(); // the newest row is live again: the purged sequence is below the top

    SyncResult r = c.syncOnce().await();
    assertNull(c.collection("notes").get("x").await(), "the reset's sweep removed the purged delete's document: " + r);
    assertNotNull(c.collection("notes").get("z").await());
    assertEquals(1, c.syncOnce().await().exchanges(), "and the cursor after the reset is accepted");
  }

  /** A write the server rejected stays in the writer's store: a reset's sweep does not take it for a deleted one. */
  @Test
  void aRejectedWriteStaysLocalAcrossAReset(Vertx vertx) {
    fx.startServer(new TideServerOptions(), null, s -> new StoreWrapper(s, op -> op.id().startsWith("bad")));
    Tide a = fx.client("a");
    Tide r = fx.client("r");
    List<JsonObject> rejected = new CopyOnWriteArrayList<>();
    List<Change> removed = new CopyOnWriteArrayList<>();
    vertx.eventBus().<JsonObject>consumer(r.rejectedAddress(), m -> rejected.add(m.body()));
    vertx.eventBus().<Change>consumer(r.address(), m -> {
      if (m.body().deleted()) {
        removed.add(m.body());
      }
    });
    r.collection("notes").put("bad", new JsonObject().put("v", "kept locally")).await();
    assertEquals(1, r.syncOnce().await().rejected());
    Document bad = r.collection("notes").document("bad").await();
    assertTrue(bad.rejected() && !bad.pending(), bad.toString());
    assertTrue(r.collection("notes").list().await().get(0).rejected());
    a.collection("notes").put("y", new JsonObject()).await();
    a.syncOnce().await();
    r.syncOnce().await();
    a.collection("notes").delete("y").await();
    a.syncOnce().await();
    fx.server.store().purgeTombstones(System.currentTimeMillis() + 1).await();

    r.syncOnce().await(); // 409 history_purged: a full pull, then the sweep
    assertNull(r.collection("notes").get("y").await(), "y was deleted on the server");
    assertEquals("kept locally", r.collection("notes").get("bad").await().getString("v"));
    await().until(() -> removed.size() == 1);
    assertEquals("y", removed.get(0).id(), "only y is announced as deleted");
    assertEquals(1, rejected.size());
  }

  /**
   * A pushed server stamp (a resurrection) above a pending write makes the write re-stamp itself above
   * it: the client then syncs to send it (over WebSocket nothing else would, until its next write).
   */
  @Test
  void aPendingWriteRestampedByAPushIsSent() {
    fx.startServer();
    Context[] engine = new Context[1];
    @SuppressWarnings("unchecked")
    Handler<PushedChanges>[] pushes = new Handler[1];
    Tide b = fx.client("b", s -> s.setTransportFactory(SyncTransportFactory.of("http-with-pushes", (v, o) ->
      new ForwardingSyncTransport(HttpSyncTransport.create(v, o)) {
        @Override
        public void pushHandler(Handler<PushedChanges> handler) {
          engine[0] = Vertx.currentContext();
          pushes[0] = handler;
        }
      })));
    b.collection("notes").put("d", new JsonObject().put("by", "b")).await(); // pending: b has not synced
    String cursor = fx.server.store().epoch() + "." + fx.server.store().lastSeq();
    Change resurrected = Change.ofJson("notes", "d", new Stamp(5, SyncProtocol.SERVER_NODE), "{\"by\":\"server\"}",
      ChangeSource.REMOTE);
    engine[0].runOnContext(x -> pushes[0].handle(new PushedChanges(null, cursor, List.of(resurrected))));
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      JsonObject d = fx.serverState().get("notes/d");
      return d != null && b.nodeId().equals(d.getJsonObject("stamp").getString("node"));
    });
    assertEquals("b", fx.serverState().get("notes/d").getJsonObject("doc").getString("by"));
  }

  /** tide_rejected keeps one row per document (its latest rejected write), not one per rejected write. */
  @Test
  void rejectedRowsDoNotPileUpForOneDocument() {
    fx.startServer(new TideServerOptions(), null, s -> new StoreWrapper(s, op -> op.id().startsWith("bad")));
    Tide r = fx.client("r");
    for (int i = 0; i < 50; i++) {
      r.collection("notes").put("bad", new JsonObject().put("v", i)).await();
      r.syncOnce().await();
    }
    r.collection("notes").delete("bad").await(); // rejected too; the document's state is now this delete
    r.syncOnce().await();
    assertEquals(1L, Sql.count(dir.resolve("r.db").toString(), "SELECT count(*) FROM tide_rejected"));
    r.collection("notes").put("good", new JsonObject()).await();
    r.syncOnce().await();
    assertTrue(!r.collection("notes").document("good").await().rejected(), "an accepted write is not rejected");
  }

  /** A store whose pulls from {@code failFrom} on fail while armed (a server hiccup mid-pull). */
  static final class FlakyPulls extends ForwardingServerStore {
    volatile boolean armed;
    volatile long failFrom = Long.MAX_VALUE;

    FlakyPulls(ServerStore d) {
      super(d);
    }

    @Override
    public Future<PullPage> pull(String ns, long afterSeq, String excludeNode, int limit, int maxBytes) {
      if (armed && afterSeq >= failFrom) {
        return Future.failedFuture(new RuntimeException("injected"));
      }
      return delegate.pull(ns, afterSeq, excludeNode, limit, maxBytes);
    }
  }

  /**
   * A history_purged full pull is cut off; then the server's database is replaced (database_changed).
   * The client keeps everything and pushes its own writes again: the first reset's sweep must not run
   * at the end of the second pull (it removed every confirmed document the new server did not send,
   * the client's own just pushed ones too).
   */
  @Test
  void aDatabaseChangedResetDuringAPurgedResetKeepsEverything() throws Exception {
    FlakyPulls[] flaky = new FlakyPulls[1];
    fx.startServer(new TideServerOptions(), null, s -> flaky[0] = new FlakyPulls(s));
    Tide a = fx.client("a");
    for (int i = 1; i <= 4; i++) {
      a.collection("notes").put("k" + i, new JsonObject().put("i", i)).await();
    }
    a.collection("notes").put("z", new JsonObject()).await();
    a.syncOnce().await();
    Tide c = fx.client("c", s -> s.setPullLimit(1));
    c.syncOnce().await();
    c.collection("notes").put("mine", new JsonObject().put("by", "c")).await();
    c.syncOnce().await();
    a.collection("notes").delete("z").await();
    a.syncOnce().await();
    fx.server.store().purgeTombstones(System.currentTimeMillis() + 1).await(); // c's cursor is now below it

    flaky[0].failFrom = 2;
    flaky[0].armed = true;
    assertThrows(Exception.class, () -> c.syncOnce().await()); // 409 history_purged, pages 1-2 of the full pull, then 503
    flaky[0].armed = false;

    fx.stopServer();
    for (String suffix : new String[] {"", "-wal", "-shm"}) {
      Files.deleteIfExists(dir.resolve("server.db" + suffix));
    }
    fx.startServer();

    c.syncOnce().await(); // 409 database_changed: keep everything, push own writes again, pull everything
    assertNotNull(fx.serverState().get("notes/mine"), "c pushed its own write again");
    assertNotNull(c.collection("notes").get("mine").await(), "c keeps its own document, which the server has");
    assertNotNull(c.collection("notes").get("k1").await(), "database_changed: the client keeps everything it has");
  }
}
