package dev.tide.tests.core;

import dev.tide.core.Document;
import dev.tide.core.Stamp;
import dev.tide.core.Tide;
import dev.tide.core.TideCollection;
import dev.tide.core.TideOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class StoreRoundTripTest {

  @TempDir
  Path dir;
  Tide tide;
  TideCollection notes;

  @BeforeEach
  void open(Vertx vertx) {
    tide = Tide.open(vertx, new TideOptions().setDbPath(dir.resolve("app.db").toString())).await();
    notes = tide.collection("notes");
  }

  @AfterEach
  void close() {
    tide.close().await();
  }

  @Test
  void putGetDelete() {
    Stamp s1 = notes.put("n1", new JsonObject().put("title", "Hello")).await();
    assertEquals(new JsonObject().put("title", "Hello"), notes.get("n1").await());
    assertEquals(tide.nodeId(), s1.node());

    Stamp s2 = notes.put("n1", new JsonObject().put("title", "Hello again")).await();
    assertTrue(s2.beats(s1));
    assertEquals("Hello again", notes.get("n1").await().getString("title"));

    Stamp s3 = notes.delete("n1").await();
    assertTrue(s3.beats(s2));
    assertNull(notes.get("n1").await());
    Document tomb = notes.document("n1").await();
    assertTrue(tomb.deleted());
    assertEquals(s3, tomb.stamp());
    assertTrue(tomb.pending());
    assertNull(notes.get("never").await());
    assertNull(notes.document("never").await());
  }

  @Test
  void collectionsAreSeparate() {
    tide.collection("a").put("same", new JsonObject().put("v", "a")).await();
    tide.collection("b").put("same", new JsonObject().put("v", "b")).await();
    assertEquals("a", tide.collection("a").get("same").await().getString("v"));
    assertEquals("b", tide.collection("b").get("same").await().getString("v"));
  }

  @Test
  void unicodeAndNested() {
    JsonObject doc = new JsonObject()
      .put("title", "日本語 — ünïcödé 😀 \"quoted\" \\ back")
      .put("nested", new JsonObject().put("list", new JsonArray().add(1).add(2.5).addNull().add(true)
        .add(new JsonObject().put("deep", new JsonObject().put("x", Long.MAX_VALUE)))))
      .put("empty", new JsonObject());
    String id = "id/with spaces/😀/ü";
    notes.put(id, doc).await();
    assertEquals(doc, notes.get(id).await());
  }

  @Test
  void largeDocument() {
    JsonObject doc = new JsonObject().put("blob", "x".repeat(1_000_000)).put("n", 1);
    notes.put("big", doc).await();
    assertEquals(doc, notes.get("big").await());
  }

  @Test
  void listInIdOrderPaged() {
    tide.batch(b -> {
      for (int i = 9; i >= 0; i--) {
        b.put("notes", "k" + i, new JsonObject().put("i", i));
      }
      b.put("other", "k5", new JsonObject());
    }).await();
    notes.delete("k3").await();

    List<Document> all = notes.list().await();
    assertEquals(List.of("k0", "k1", "k2", "k4", "k5", "k6", "k7", "k8", "k9"), all.stream().map(Document::id).toList());
    assertEquals(4, all.get(3).doc().getInteger("i"));

    List<Document> page1 = notes.list(4, null).await();
    List<Document> page2 = notes.list(4, page1.get(3).id()).await();
    List<Document> page3 = notes.list(4, page2.get(3).id()).await();
    assertEquals(List.of("k0", "k1", "k2", "k4"), page1.stream().map(Document::id).toList());
    assertEquals(List.of("k5", "k6", "k7", "k8"), page2.stream().map(Document::id).toList());
    assertEquals(List.of("k9"), page3.stream().map(Document::id).toList());
  }

  @Test
  void batchGivesEachWriteItsOwnStamp() {
    List<Stamp> stamps = tide.batch(b -> b.put("notes", "x", new JsonObject().put("v", 1))
      .put("notes", "x", new JsonObject().put("v", 2))
      .delete("notes", "y")).await();
    assertEquals(3, stamps.size());
    assertTrue(stamps.get(1).beats(stamps.get(0)) && stamps.get(2).beats(stamps.get(1)));
    assertEquals(2, notes.get("x").await().getInteger("v"));
    assertTrue(notes.document("y").await().deleted());
    assertEquals(3L, tide.pendingCount().await());
    assertEquals(List.of(), tide.batch(b -> { }).await());
  }

  /** Local writes are stored with multi-row statements of 32, 8 and 1 rows: order must hold across them. */
  @Test
  void largeBatchKeepsWriteOrderPerDocument() {
    int n = 75;
    List<Stamp> stamps = tide.batch(b -> {
      for (int i = 0; i < n; i++) {
        if (i % 7 == 3) {
          b.delete("notes", "r" + (i % 5));
        } else {
          b.put("notes", "r" + (i % 5), new JsonObject().put("v", i));
        }
      }
    }).await();
    for (int doc = 0; doc < 5; doc++) {
      int last = n - 5 + doc;
      Document d = notes.document("r" + doc).await();
      assertEquals(stamps.get(last), d.stamp());
      if (last % 7 == 3) {
        assertTrue(d.deleted());
      } else {
        assertEquals(last, d.doc().getInteger("v"));
      }
    }
    assertEquals((long) n, tide.pendingCount().await());
  }

  @Test
  void putStoresACopy() {
    JsonObject doc = new JsonObject().put("v", 1);
    notes.put("c", doc).await();
    doc.put("v", 2);
    assertEquals(1, notes.get("c").await().getInteger("v"));
    assertFalse(notes.document("c").await().deleted());
  }
}
