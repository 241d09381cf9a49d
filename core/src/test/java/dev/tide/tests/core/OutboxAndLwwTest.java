package dev.tide.tests.core;

import dev.tide.core.Change;
import dev.tide.core.ChangeSource;
import dev.tide.core.Document;
import dev.tide.core.Stamp;
import dev.tide.core.SyncProtocol;
import dev.tide.core.Tide;
import dev.tide.core.TideCollection;
import dev.tide.core.TideOptions;
import dev.tide.core.impl.TideImpl;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class OutboxAndLwwTest {

  @TempDir
  Path dir;
  String path;
  TideImpl tide;
  TideCollection notes;

  @BeforeEach
  void open(Vertx vertx) {
    path = dir.resolve("c.db").toString();
    tide = (TideImpl) Tide.open(vertx, new TideOptions().setDbPath(path)).await();
    notes = tide.collection("notes");
  }

  @AfterEach
  void close() {
    tide.close().await();
  }

  static Change remote(String id, long counter, String node, JsonObject doc) {
    return new Change("notes", id, new Stamp(counter, node), doc, ChangeSource.REMOTE);
  }

  /** The pending count, which the writer keeps as outbox rows come and go, is the outbox table's row count. */
  void assertPendingCounted() {
    assertEquals(((Number) Sql.query(path, "SELECT count(*) FROM tide_outbox").get(0).get(0)).longValue(),
      tide.pendingCount().await());
  }

  @Test
  void everyLocalWriteHasItsOutboxEntryInOrder() {
    Stamp a = notes.put("a", new JsonObject().put("v", 1)).await();
    Stamp b = notes.put("b", new JsonObject().put("v", 1)).await();
    Stamp a2 = notes.put("a", new JsonObject().put("v", 2)).await();
    Stamp d = notes.delete("b").await();
    assertEquals(4L, tide.pendingCount().await());
    List<List<Object>> outbox = Sql.query(path, "SELECT counter, collection, id FROM tide_outbox ORDER BY counter");
    assertEquals(List.of(
      List.of(a.counter(), "notes", "a"), List.of(b.counter(), "notes", "b"),
      List.of(a2.counter(), "notes", "a"), List.of(d.counter(), "notes", "b")),
      outbox.stream().map(r -> List.of(((Number) r.get(0)).longValue(), r.get(1), r.get(2))).toList());
    // the documents carry the newest stamp and are pending
    assertEquals(a2, notes.document("a").await().stamp());
    assertTrue(notes.document("a").await().pending());
    assertEquals(d, notes.document("b").await().stamp());
    assertTrue(notes.document("b").await().pending());
  }

  @Test
  void lamportCounterIncreasesAndFollowsRemote() {
    Stamp s1 = notes.put("a", new JsonObject()).await();
    Stamp s2 = notes.put("b", new JsonObject()).await();
    assertEquals(s1.counter() + 1, s2.counter());
    // a remote change with a much higher counter raises the clock even though its doc is unrelated
    assertEquals(1, tide.applyRemote(List.of(remote("r", 100, "zz", new JsonObject())), null).await());
    Stamp s3 = notes.put("c", new JsonObject()).await();
    assertEquals(101, s3.counter());
    // a remote change that loses still raises the clock
    notes.put("d", new JsonObject().put("v", "local")).await(); // 102
    assertEquals(0, tide.applyRemote(List.of(remote("d", 50, "zz", new JsonObject().put("v", "old"))), null).await());
    assertEquals("local", notes.get("d").await().getString("v"));
    assertEquals(103, notes.put("e", new JsonObject()).await().counter());
    assertEquals(1, tide.applyRemote(List.of(remote("f", 500, "zz", new JsonObject())), null).await());
    assertEquals(0, tide.applyRemote(List.of(remote("f", 400, "zz", new JsonObject())), null).await());
    assertEquals(501, notes.put("g", new JsonObject()).await().counter());
  }

  @Test
  void remoteWinsOnlyWithHigherStamp() {
    Stamp local = notes.put("x", new JsonObject().put("v", "local")).await();
    // same counter: the node id decides (code-unit order)
    String higherNode = local.node() + "z";
    String lowerNode = "-";
    assertEquals(0, tide.applyRemote(List.of(remote("x", local.counter(), lowerNode, new JsonObject().put("v", "low"))), null).await());
    assertEquals("local", notes.get("x").await().getString("v"));
    assertEquals(1, tide.applyRemote(List.of(remote("x", local.counter(), higherNode, new JsonObject().put("v", "high"))), null).await());
    assertEquals("high", notes.get("x").await().getString("v"));
    // the pending local write it replaced left the outbox: the server keeps the newer stamp anyway
    Document doc = notes.document("x").await();
    assertFalse(doc.pending());
    assertEquals(0L, tide.pendingCount().await());
    // the same change again (a replay) changes nothing
    assertEquals(0, tide.applyRemote(List.of(remote("x", local.counter(), higherNode, new JsonObject().put("v", "high"))), null).await());
    // absent locally: inserted
    assertEquals(1, tide.applyRemote(List.of(remote("new", 1, "a", new JsonObject().put("v", 1))), null).await());
    assertEquals(1, notes.get("new").await().getInteger("v"));
  }

  @Test
  void tombstonesBlockStaleWrites() {
    assertEquals(1, tide.applyRemote(List.of(remote("t", 10, "a", new JsonObject().put("v", 1))), null).await());
    assertEquals(1, tide.applyRemote(List.of(remote("t", 12, "a", null)), null).await());
    assertNull(notes.get("t").await());
    // a stale put (lower stamp than the tombstone) cannot resurrect it
    assertEquals(0, tide.applyRemote(List.of(remote("t", 11, "zz", new JsonObject().put("v", 2))), null).await());
    assertNull(notes.get("t").await());
    assertTrue(notes.document("t").await().deleted());
    // a local write after the delete gets a higher stamp and wins locally
    Stamp s = notes.put("t", new JsonObject().put("v", 3)).await();
    assertTrue(s.counter() > 12);
    assertEquals(3, notes.get("t").await().getInteger("v"));
  }

  @Test
  void remoteApplyPersistsCursorWithChanges() {
    tide.applyRemote(List.of(remote("a", 1, "n", new JsonObject())), "c-42").await();
    assertEquals("c-42", Sql.query(path, "SELECT value FROM tide_meta WHERE key = 'cursor'").get(0).get(0));
  }

  /** A page longer than a bulk lookup: each change is decided against what the ones before it left. */
  @Test
  void aLongPageIsDecidedChangeByChangeInOrder() {
    List<Stamp> local = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      local.add(notes.put("L" + i, new JsonObject().put("v", "local")).await());
    }
    List<Change> page = new ArrayList<>();
    int expected = 0;
    for (int i = 0; i < 100; i++) {
      if (i % 2 == 0) { // beats the pending local write, which leaves the outbox
        page.add(remote("L" + i, 1_000 + i, "zz", new JsonObject().put("v", "remote")));
        expected++;
      } else { // older than the local write: loses
        page.add(remote("L" + i, local.get(i).counter() - 1, "zz", new JsonObject().put("v", "stale")));
      }
      if (i % 10 == 3) { // a new document, twice: the second beats the first only when its stamp is higher
        page.add(remote("N" + i, 5, "b", new JsonObject().put("v", 1)));
        page.add(remote("N" + i, i % 20 == 3 ? 6 : 4, "b", new JsonObject().put("v", 2)));
        expected += i % 20 == 3 ? 2 : 1;
      }
    }
    // a server stamp on a pending document: the local write stays, stamped above it
    page.add(70, remote("L1", 5_000, SyncProtocol.SERVER_NODE, new JsonObject().put("v", "server")));
    page.add(remote("gone", 7, "b", null)); // a tombstone for a document never seen
    expected++;

    assertEquals(expected, tide.applyRemote(page, null).await());
    for (int i = 0; i < 100; i++) {
      Document doc = notes.document("L" + i).await();
      if (i % 2 == 0) {
        assertEquals(new Stamp(1_000 + i, "zz"), doc.stamp());
        assertEquals("remote", doc.doc().getString("v"));
        assertFalse(doc.pending());
      } else {
        assertEquals("local", doc.doc().getString("v"));
        assertTrue(doc.pending());
        assertEquals(i == 1 ? 5_001 : local.get(i).counter(), doc.stamp().counter(), "L" + i);
      }
      if (i % 10 == 3) {
        assertEquals(i % 20 == 3 ? 2 : 1, notes.get("N" + i).await().getInteger("v"));
      }
    }
    assertTrue(notes.document("gone").await().deleted());
    // one outbox entry per pending document: the odd ones (L1's under its new stamp)
    assertEquals(50L, tide.pendingCount().await());
    assertPendingCounted();
    assertEquals(5_002, notes.put("next", new JsonObject()).await().counter());
    assertPendingCounted();
  }

  /** Pages of every length around the lookup statement sizes: each change meets the local state of its own document. */
  @Test
  void pagesOfEveryLookupSizeAreDecidedPerDocument() {
    for (int n : new int[]{1, 2, 3, 4, 5, 15, 16, 17, 63, 64, 65}) {
      List<Stamp> local = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        local.add(notes.put("s" + n + "-" + i, new JsonObject().put("v", "local")).await());
      }
      List<Change> page = new ArrayList<>();
      for (int i = 0; i < n; i++) { // even ones beat the pending local write, odd ones are older and lose
        long counter = local.get(i).counter() + (i % 2 == 0 ? 1_000 : -1);
        page.add(remote("s" + n + "-" + i, counter, "zz", new JsonObject().put("v", "remote")));
      }
      assertEquals((n + 1) / 2, tide.applyRemote(page, null).await(), "page of " + n);
      for (int i = 0; i < n; i++) {
        Document doc = notes.document("s" + n + "-" + i).await();
        assertEquals(i % 2 == 0 ? "remote" : "local", doc.doc().getString("v"), "page of " + n + ", doc " + i);
        assertEquals(i % 2 != 0, doc.pending());
      }
      assertPendingCounted();
    }
  }
}
