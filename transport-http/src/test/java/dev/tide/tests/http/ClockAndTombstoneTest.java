package dev.tide.tests.http;

import dev.tide.core.Change;
import dev.tide.core.ChangeSource;
import dev.tide.core.StoreException;
import dev.tide.core.Stamp;
import dev.tide.core.SyncProtocol;
import dev.tide.core.SyncResult;
import dev.tide.core.Tide;
import dev.tide.server.TideServerOptions;
import dev.tide.tests.core.Sql;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Clock bounds (PROTOCOL.md 1, 3) and tombstone retention with its reset rule (PROTOCOL.md 3, "Cursors"). */
@ExtendWith(VertxExtension.class)
class ClockAndTombstoneTest extends SyncFixtureTest {

  /** Closes a client, sets its recorded clock, and opens it again (a corrupted or far-ahead clock). */
  Tide withClock(String name, long clock) {
    Tide t = client(name);
    t.close().await();
    Sql.exec(dir.resolve(name + ".db").toString(), "UPDATE tide_meta SET value = '" + clock + "' WHERE key = 'clock'");
    return client(name);
  }

  JsonObject post(Vertx vertx, JsonObject body) {
    HttpResponse<Buffer> r = WebClient.create(vertx).post(fx.port(), "127.0.0.1", "/sync")
      .putHeader("Content-Type", "application/json").sendBuffer(body.toBuffer()).await();
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  @Test
  void aForgedHugeCounterIsRejectedAndTheDocumentStaysWritable(Vertx vertx) {
    fx.startServer();
    Tide a = client("a");
    a.collection("notes").put("x", new JsonObject().put("v", "a")).await();
    a.syncOnce().await();
    JsonObject forged = new JsonObject().put("collection", "notes").put("id", "x")
      .put("stamp", new JsonObject().put("counter", Stamp.MAX_COUNTER).put("node", "evil")).put("doc", new JsonObject());
    JsonObject r = post(vertx, new JsonObject().put("protocol", 1).put("node_id", "evil").put("cursor", null)
      .put("ops", new JsonArray().add(forged)));
    JsonObject result = r.getJsonArray("results").getJsonObject(0);
    assertEquals("rejected", result.getString("status"));
    assertEquals("clock_ahead", result.getString("code"));
    // everyone else can still write it
    Tide b = client("b");
    b.syncOnce().await();
    b.collection("notes").put("x", new JsonObject().put("v", "b")).await();
    b.syncOnce().await();
    a.syncOnce().await();
    assertEquals("b", a.collection("notes").get("x").await().getString("v"));
    assertEquals(1L + 1, fx.server.store().lastSeq(), "the forged op changed nothing");
  }

  @Test
  void theBoundIsTwoToTheThirtyAboveTheHighestStoredCounter(Vertx vertx) {
    fx.startServer();
    Tide a = client("a");
    long highest = a.collection("notes").put("x", new JsonObject()).await().counter();
    a.syncOnce().await();
    JsonObject edge = new JsonObject().put("collection", "notes").put("id", "edge")
      .put("stamp", new JsonObject().put("counter", highest + SyncProtocol.MAX_CLOCK_AHEAD).put("node", "n2")).put("doc", new JsonObject());
    JsonObject over = new JsonObject().put("collection", "notes").put("id", "over")
      .put("stamp", new JsonObject().put("counter", highest + SyncProtocol.MAX_CLOCK_AHEAD + 1).put("node", "n1")).put("doc", new JsonObject());
    assertEquals("rejected", post(vertx, new JsonObject().put("protocol", 1).put("node_id", "n1").put("cursor", null)
      .put("ops", new JsonArray().add(over))).getJsonArray("results").getJsonObject(0).getString("status"));
    assertEquals("applied", post(vertx, new JsonObject().put("protocol", 1).put("node_id", "n2").put("cursor", null)
      .put("ops", new JsonArray().add(edge))).getJsonArray("results").getString(0));
    // the bound survives a restart: it is derived from what is stored
    fx.stopServer();
    fx.startServer();
    over.getJsonObject("stamp").put("counter", highest + 2 * SyncProtocol.MAX_CLOCK_AHEAD + 1);
    assertEquals("rejected", post(vertx, new JsonObject().put("protocol", 1).put("node_id", "n1").put("cursor", null)
      .put("ops", new JsonArray().add(over))).getJsonArray("results").getJsonObject(0).getString("status"));
  }

  @Test
  void aClientWhoseClockRanFarAheadIsRejectedWithoutHarmingOthers(Vertx vertx) {
    fx.startServer();
    Tide b = client("b");
    b.collection("notes").put("shared", new JsonObject().put("by", "b")).await();
    b.syncOnce().await();
    Tide wild = withClock("wild", 1L << 40);
    List<JsonObject> rejected = new CopyOnWriteArrayList<>();
    vertx.eventBus().<JsonObject>consumer("wild.sync.rejected", m -> rejected.add(m.body()));
    wild.collection("notes").put("shared", new JsonObject().put("by", "wild")).await();
    SyncResult r = wild.syncOnce().await();
    assertEquals(1, r.rejected());
    await().until(() -> rejected.size() == 1);
    assertEquals("clock_ahead", rejected.get(0).getString("code"));
    assertEquals(0L, wild.pendingCount().await(), "a rejected op never jams the outbox");
    b.collection("notes").put("shared", new JsonObject().put("by", "b2")).await();
    b.syncOnce().await();
    assertEquals("b2", fx.serverState().get("notes/shared").getJsonObject("doc").getString("by"));
  }

  @Test
  void aClockAtTheMaximumFailsCleanlyInsteadOfOverflowing() {
    fx.startServer();
    Tide full = withClock("full", Stamp.MAX_COUNTER);
    StoreException e = assertThrows(StoreException.class, () -> full.collection("notes").put("x", new JsonObject()).await());
    assertTrue(e.getMessage().contains("exhausted"), e.getMessage());
    assertNull(full.collection("notes").document("x").await());
    assertEquals(0L, full.pendingCount().await());
  }

  @Test
  void withinTheRetentionAStaleWriteLosesToTheTombstone() {
    fx.startServer();
    Tide a = client("a");
    Tide b = client("b");
    a.collection("notes").put("x", new JsonObject().put("v", 1)).await();
    a.syncOnce().await();
    b.syncOnce().await();
    b.collection("notes").put("x", new JsonObject().put("v", "b-offline")).await(); // B offline
    a.collection("notes").put("bump", new JsonObject()).await();
    a.collection("notes").put("bump", new JsonObject()).await();
    a.collection("notes").delete("x").await(); // a higher stamp than B's edit
    a.syncOnce().await();
    SyncResult r = b.syncOnce().await();
    assertEquals(1, r.pushed());
    assertTrue(b.collection("notes").document("x").await().deleted(), "the delete wins on B");
    assertTrue(fx.serverState().get("notes/x").getBoolean("deleted"));
  }

  @Test
  void afterAPurgeAPendingWriteResurrectsTheDocumentAndEveryoneConverges(Vertx vertx) {
    fx.startServer();
    Tide a = client("a");
    Tide b = client("b");
    a.collection("notes").put("x", new JsonObject().put("v", 1)).await();
    a.collection("notes").put("keep", new JsonObject()).await();
    a.syncOnce().await();
    b.syncOnce().await();
    b.collection("notes").put("x", new JsonObject().put("v", "b-offline")).await(); // pending on B
    a.collection("notes").put("bump", new JsonObject()).await();
    Stamp deleteStamp = a.collection("notes").delete("x").await();
    a.syncOnce().await();
    assertEquals(1L, fx.server.store().purgeTombstones(System.currentTimeMillis() + 1).await());
    assertTrue(fx.server.store().purgedSeq() > 0);

    SyncResult r = b.syncOnce().await(); // 409 reset_required (history_purged), full pull, then its push
    assertTrue(r.exchanges() >= 2);
    assertEquals("b-offline", b.collection("notes").get("x").await().getString("v"), "B's offline edit is kept");
    JsonObject x = fx.serverState().get("notes/x");
    assertEquals("b-offline", x.getJsonObject("doc").getString("v"), "and resurrects x");
    // the server answered restamp (the write's counter is at or below the purged one); B stamped it again
    // above every counter the server holds and pushed it in the same sync: the stamp beats the old tombstone
    assertTrue(x.getJsonObject("stamp").getLong("counter") > deleteStamp.counter(), x.encode());
    b.syncOnce().await();
    a.syncOnce().await(); // A still holds the old tombstone; B's new stamp beats it
    assertEquals(fx.serverState(), fx.clientState("a"));
    assertEquals(fx.serverState(), fx.clientState("b"));
  }

  @Test
  void aClientThatMissedAPurgedDeleteDropsTheDocumentAfterItsReset(Vertx vertx) {
    fx.startServer();
    Tide a = client("a");
    Tide c = client("c");
    a.collection("notes").put("y", new JsonObject()).await();
    a.collection("notes").put("stays", new JsonObject()).await();
    a.syncOnce().await();
    c.collection("notes").put("mine", new JsonObject()).await();
    c.syncOnce().await();
    c.collection("notes").put("pending", new JsonObject()).await(); // offline from here
    a.collection("notes").delete("y").await();
    a.syncOnce().await();
    fx.server.store().purgeTombstones(System.currentTimeMillis() + 1).await();
    List<Change> feed = new CopyOnWriteArrayList<>();
    vertx.eventBus().<Change>consumer(c.collection("notes").address(), m -> feed.add(m.body()));

    c.syncOnce().await();
    assertNull(c.collection("notes").document("y").await(), "y was deleted and purged on the server: gone here too");
    assertFalse(c.collection("notes").list().await().isEmpty());
    assertTrue(fx.serverState().containsKey("notes/mine"), "its own confirmed writes are kept");
    assertTrue(fx.serverState().containsKey("notes/pending"), "and its pending ones pushed");
    assertEquals(fx.serverState(), fx.clientState("c"));
    await().until(() -> feed.stream().anyMatch(ch -> ch.id().equals("y") && ch.deleted() && ch.source() == ChangeSource.REMOTE));
  }

  @Test
  void sequencesAreNeverReusedAfterAPurgeAndARestart() {
    fx.startServer();
    Tide a = client("a");
    Tide b = client("b");
    a.collection("notes").put("x", new JsonObject()).await();
    a.collection("notes").delete("x").await(); // the newest change is a tombstone
    a.syncOnce().await();
    b.syncOnce().await(); // B's cursor now points at that tombstone
    fx.server.store().purgeTombstones(System.currentTimeMillis() + 1).await();
    fx.stopServer();
    fx.startServer(); // the purged tombstone was the highest sequence in the file
    a.collection("notes").put("y", new JsonObject()).await();
    a.syncOnce().await();
    b.syncOnce().await();
    assertTrue(fx.clientState("b").containsKey("notes/y"), "a change after the restart reaches a client at the old position");
  }

  @Test
  void aPendingEditSurvivesTheRestampOfItsOwnResurrectedWrite(Vertx vertx) {
    fx.startServer();
    Tide b = client("b");
    for (int i = 0; i < 5; i++) {
      b.collection("notes").put("b" + i, new JsonObject()).await();
    }
    b.collection("notes").delete("b0").await();
    b.syncOnce().await();
    fx.server.store().purgeTombstones(System.currentTimeMillis() + 1).await(); // purged counter 6
    dev.tide.tests.core.FaultProxy proxy = dev.tide.tests.core.FaultProxy.start(vertx, fx.port());
    try {
      Tide a = fx.client("a", s -> s.setUrl(SyncFixture.url(proxy.port())));
      a.collection("notes").put("x", new JsonObject().put("v", 1)).await(); // counter 1: below the purged one, so restamp
      proxy.dropNextResponses(1);
      assertThrows(Exception.class, () -> a.syncOnce().await());
      a.collection("notes").put("x", new JsonObject().put("v", 2)).await(); // a newer edit, pending
      a.syncOnce().await(); // v2 is answered restamp too, stamped again and pushed in the same sync
      a.syncOnce().await();
      assertEquals(2, a.collection("notes").get("x").await().getInteger("v"));
      assertEquals(2, fx.serverState().get("notes/x").getJsonObject("doc").getInteger("v"));
      assertEquals(0L, a.pendingCount().await());
    } finally {
      proxy.close().await();
    }
  }

  @Test
  void tombstonesArePurgedAfterTheConfiguredRetention() {
    fx.startServer(new TideServerOptions().setTombstoneRetentionSeconds(1).setPurgeIntervalSeconds(1), null, null);
    Tide a = client("a");
    a.collection("notes").put("z", new JsonObject()).await();
    a.collection("notes").delete("z").await();
    a.syncOnce().await();
    assertTrue(fx.serverState().containsKey("notes/z"));
    await().until(() -> !fx.serverState().containsKey("notes/z"));
    assertTrue(fx.server.store().purgedSeq() > 0);
  }

  @Test
  void retentionZeroKeepsTombstonesForever() {
    TideServerOptions keep = new TideServerOptions().setTombstoneRetentionSeconds(0);
    assertEquals(0, new TideServerOptions(keep.toJson()).getTombstoneRetentionSeconds());
    assertInstanceOf(Long.class, keep.toJson().getValue("tombstoneRetentionSeconds"));
  }
}
