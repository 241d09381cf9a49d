package dev.tide.tests.core;

import dev.tide.core.ChangeCodec;
import dev.tide.core.InvalidChangeException;
import dev.tide.core.Tide;
import dev.tide.core.TideCollection;
import dev.tide.core.TideOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

@ExtendWith(VertxExtension.class)
class BadInputTest {

  @TempDir
  Path dir;
  Tide tide;
  TideCollection notes;
  String path;

  @BeforeEach
  void open(Vertx vertx) {
    path = dir.resolve("bad.db").toString();
    tide = Tide.open(vertx, new TideOptions().setDbPath(path)).await();
    notes = tide.collection("notes");
  }

  @AfterEach
  void close() {
    tide.close().await();
  }

  private static void rejected(String field, Supplier<Future<?>> call) {
    Future<?> f = call.get();
    f.transform(ar -> Future.succeededFuture()).await();
    InvalidChangeException e = assertInstanceOf(InvalidChangeException.class, f.cause());
    assertEquals(field, e.field(), e.getMessage());
  }

  @Test
  void badCollectionNames() {
    for (String name : new String[]{null, "", "a/b", "a b", ".hidden", "-x", "x".repeat(65), "ü"}) {
      assertThrows(InvalidChangeException.class, () -> tide.collection(name), String.valueOf(name));
    }
    assertEquals("notes.v2", tide.collection("notes.v2").name());
  }

  @Test
  void badIdsDocsAndBatches() {
    rejected("id", () -> notes.put(null, new JsonObject()));
    rejected("id", () -> notes.put("", new JsonObject()));
    rejected("id", () -> notes.put("x".repeat(257), new JsonObject()));
    rejected("id", () -> notes.put("a\u0001", new JsonObject()));
    rejected("id", () -> notes.delete(""));
    rejected("id", () -> notes.get(""));
    rejected("doc", () -> notes.put("a", null));
    rejected("doc", () -> notes.put("a", new JsonObject().put("n", Double.NaN)));
    rejected("doc", () -> notes.put("a", new JsonObject().put("o", new Object())));
    rejected("doc", () -> notes.put("a", new JsonObject().put("big", "x".repeat(1 << 20))));
    JsonArray deep = new JsonArray();
    JsonArray cur = deep;
    for (int i = 0; i < 100; i++) {
      JsonArray next = new JsonArray();
      cur.add(next);
      cur = next;
    }
    rejected("doc", () -> notes.put("a", new JsonObject().put("deep", deep)));
    // one bad write fails the whole batch before anything is written
    rejected("collection", () -> tide.batch(b -> b.put("notes", "ok", new JsonObject()).put("bad/name", "x", new JsonObject())));
    rejected("doc", () -> tide.batch(b -> b.put("notes", "ok", new JsonObject()).put("notes", "x", null)));
    assertThrows(IllegalArgumentException.class, () -> notes.list(0, null).await());

    // nothing was written, and the clock did not move
    assertEquals(0L, tide.pendingCount().await());
    assertEquals(0L, Sql.count(path, "SELECT count(*) FROM tide_docs"));
    assertEquals(1, notes.put("ok", new JsonObject()).await().counter());
  }

  /** A batch's documents are serialized after it is queued; one that cannot be still fails it whole. */
  @Test
  void aBatchWithADocumentThatCannotBeSerializedWritesNothing() {
    JsonObject tooLarge = new JsonObject().put("big", "x".repeat(1 << 20));
    for (int at : new int[]{0, 40, 99}) {
      rejected("doc", () -> tide.batch(b -> {
        for (int i = 0; i < 100; i++) {
          b.put("notes", "d" + i, i == at ? tooLarge : new JsonObject().put("i", i));
        }
      }));
    }
    rejected("doc", () -> tide.batch(b -> b.put("notes", "ok", new JsonObject()).put("notes", "o", new JsonObject().put("o", new Object()))));
    assertEquals(0L, tide.pendingCount().await());
    assertEquals(0L, Sql.count(path, "SELECT count(*) FROM tide_docs"));
    assertEquals(1, notes.put("ok", new JsonObject()).await().counter());
  }

  /**
   * put and batch accept the same documents, within the limits a receiver's parser has; what is stored is
   * what get returns (a CharSequence is stored as its text).
   */
  @Test
  void putAndBatchAcceptTheSameDocumentsAndStoreWhatTheyReturn() {
    List<JsonObject> refused = List.of(
      new JsonObject().put("s", new StringBuilder("x\uD800")),
      new JsonObject().put("n", new BigInteger("1".repeat(ChangeCodec.MAX_NUMBER_CHARS + 1))),
      new JsonObject().put("n", new BigDecimal("1E+400")),
      new JsonObject().put("k".repeat(ChangeCodec.MAX_KEY_BYTES + 1), 1),
      new JsonObject().put("c", 'c'));
    for (JsonObject doc : refused) {
      rejected("doc", () -> notes.put("a", doc));
      rejected("doc", () -> tide.batch(b -> b.put("notes", "a", doc)));
    }
    assertEquals(0L, Sql.count(path, "SELECT count(*) FROM tide_docs"));

    JsonObject text = new JsonObject().put("s", new StringBuilder("ok")).put("n", new BigInteger("1".repeat(64)));
    notes.put("p", text).await();
    tide.batch(b -> b.put("notes", "b", text)).await();
    for (String id : List.of("p", "b")) {
      String stored = (String) Sql.query(path, "SELECT body FROM tide_docs WHERE id = '" + id + "'").get(0).get(0);
      assertEquals("{\"s\":\"ok\",\"n\":" + "1".repeat(64) + "}", stored, id);
      assertEquals(stored, notes.get(id).await().encode(), id);
    }
  }

  /** The stored document is the one passed to put, even if the app changes its object right after. */
  @Test
  void aBatchStoresEachDocumentAsItWasWhenPut() {
    JsonObject doc = new JsonObject().put("v", 1);
    Future<?> done = tide.batch(b -> {
      b.put("notes", "a", doc);
      doc.put("v", 2);
      b.put("notes", "b", doc);
    });
    doc.put("v", 3);
    done.await();
    assertEquals(new JsonObject().put("v", 1), notes.get("a").await());
    assertEquals(new JsonObject().put("v", 2), notes.get("b").await());

    // values a JsonObject copy keeps as the app's own instances: a reused byte[] buffer, an AtomicLong
    byte[] buffer = new byte[3];
    java.util.concurrent.atomic.AtomicLong counter = new java.util.concurrent.atomic.AtomicLong();
    tide.batch(b -> {
      for (int i = 0; i < 3; i++) {
        java.util.Arrays.fill(buffer, (byte) i);
        counter.set(i);
        b.put("notes", "bin" + i, new JsonObject().put("bin", buffer).put("n", counter));
      }
    }).await();
    for (int i = 0; i < 3; i++) {
      byte[] expected = new byte[3];
      java.util.Arrays.fill(expected, (byte) i);
      JsonObject stored = notes.get("bin" + i).await();
      assertEquals(java.util.Base64.getEncoder().encodeToString(expected), stored.getString("bin"), "bin" + i);
      assertEquals(i, stored.getInteger("n"), "bin" + i);
    }
  }
}
