package dev.tide.core.impl;

import dev.tide.core.InvalidChangeException;
import dev.tide.core.Stamp;
import dev.tide.core.Tide;
import dev.tide.core.TideOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A put in a batch is checked when put and serialized later, from its snapshot, by the caller or the writer. */
@ExtendWith(VertxExtension.class)
class LocalWriteTest {

  @TempDir
  Path dir;

  private static JsonObject tooLarge() {
    return new JsonObject().put("big", "x".repeat(1 << 20));
  }

  @Test
  void aPutInABatchIsSerializedOnceFromItsSnapshot() {
    JsonObject doc = new JsonObject().put("v", 1);
    LocalWrite w = LocalWrite.putInBatch("notes", "a", doc);
    doc.put("v", 2); // the app may change its object once put returns
    String json = w.serialize();
    assertEquals("{\"v\":1}", json);
    assertSame(json, w.serialize());
    assertNull(LocalWrite.delete("notes", "a").serialize());
  }

  @Test
  void aDocumentTooLargeFailsWhenSerializedAndTheCallerLeavesThatToTheWriter() {
    LocalWrite w = LocalWrite.putInBatch("notes", "a", tooLarge());
    LocalWrite.serializeAhead(List.of(LocalWrite.putInBatch("notes", "b", new JsonObject()), w));
    assertEquals("doc", assertThrows(InvalidChangeException.class, w::serialize).field());
    assertEquals("doc", assertThrows(InvalidChangeException.class, () -> LocalWrite.put("notes", "a", tooLarge())).field());
  }

  @Test
  void aValueJsonHasNoTypeForIsRejectedWhenPut() {
    JsonObject doc = new JsonObject().put("o", new Object());
    assertEquals("doc", assertThrows(InvalidChangeException.class, () -> LocalWrite.putInBatch("notes", "a", doc)).field());
    assertEquals("doc", assertThrows(InvalidChangeException.class, () -> LocalWrite.put("notes", "a", doc)).field());
  }

  /** Nobody serialized ahead: the writer does, and one document it cannot serialize fails the batch whole. */
  @Test
  void theWriterSerializesWhatTheCallerDidNotAndFailsTheWholeBatch(Vertx vertx) {
    TideImpl tide = (TideImpl) Tide.open(vertx, new TideOptions().setDbPath(dir.resolve("w.db").toString())).await();
    try {
      LocalWrite ok = LocalWrite.putInBatch("notes", "ok", new JsonObject().put("v", 1));
      Future<List<Stamp>> failed = tide.writer().submit(new LocalWrite.Many(vertx.getOrCreateContext(),
        List.of(ok, LocalWrite.putInBatch("notes", "big", tooLarge()))));
      failed.transform(ar -> Future.succeededFuture()).await();
      assertEquals("doc", assertInstanceOf(InvalidChangeException.class, failed.cause()).field());
      assertNull(tide.collection("notes").get("ok").await(), "nothing of the batch was written");
      assertEquals(0L, tide.pendingCount().await());

      List<Stamp> stamps = tide.writer().submit(new LocalWrite.Many(vertx.getOrCreateContext(),
        List.of(LocalWrite.putInBatch("notes", "a", new JsonObject().put("v", 2))))).await();
      assertEquals(1, stamps.get(0).counter(), "the failed batch did not move the clock");
      assertEquals(new JsonObject().put("v", 2), tide.collection("notes").get("a").await());
    } finally {
      tide.close().await();
    }
  }
}
