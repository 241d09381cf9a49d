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

  /** A batch that fails while grouped with other writes fails alone; the others commit. */
  @Test
  void aBatchThatFailsInAGroupFailsAlone(Vertx vertx) throws Exception {
    TideImpl tide = (TideImpl) Tide.open(vertx, new TideOptions().setDbPath(dir.resolve("g.db").toString())).await();
    try {
      io.vertx.core.Context ctx = vertx.getOrCreateContext();
      java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
      java.util.concurrent.CountDownLatch queued = new java.util.concurrent.CountDownLatch(1);
      // holds the writer until the three writes below are queued, so they share the next transaction
      Future<Void> hold = tide.writer().submit(new WriteTask<WriterStore, Void>(ctx) {
        @Override
        protected Void run(WriterStore store, List<dev.tide.core.Change> events) {
          started.countDown();
          try {
            queued.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return null;
        }
      });
      started.await(); // the writer runs the hold alone: the writes below are queued behind it, together
      Future<Stamp> before = tide.writer().submit(new LocalWrite.Single(ctx, LocalWrite.put("notes", "before", new JsonObject().put("v", 1))));
      Future<List<Stamp>> bad = tide.writer().submit(new LocalWrite.Many(ctx,
        List.of(LocalWrite.putInBatch("notes", "x", new JsonObject()), LocalWrite.putInBatch("notes", "big", tooLarge()))));
      Future<Stamp> after = tide.writer().submit(new LocalWrite.Single(ctx, LocalWrite.put("notes", "after", new JsonObject().put("v", 2))));
      long transactions = tide.writer().transactions();
      queued.countDown();
      hold.await();
      before.await();
      after.await();
      bad.transform(ar -> Future.succeededFuture()).await();
      assertEquals("doc", assertInstanceOf(InvalidChangeException.class, bad.cause()).field());
      assertEquals(new JsonObject().put("v", 1), tide.collection("notes").get("before").await());
      assertEquals(new JsonObject().put("v", 2), tide.collection("notes").get("after").await());
      assertNull(tide.collection("notes").get("x").await(), "nothing of the failed batch");
      assertEquals(2L, tide.pendingCount().await());
      // the group failed once, then each write went alone: the two good ones each in its own transaction
      assertEquals(transactions + 3, tide.writer().transactions());
    } finally {
      tide.close().await();
    }
  }
}
