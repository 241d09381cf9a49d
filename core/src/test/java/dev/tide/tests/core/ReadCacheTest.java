package dev.tide.tests.core;

import dev.tide.core.Change;
import dev.tide.core.ChangeSource;
import dev.tide.core.Stamp;
import dev.tide.core.Tide;
import dev.tide.core.TideCollection;
import dev.tide.core.TideOptions;
import dev.tide.core.impl.TideImpl;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The read cache must never serve a value older than a completed write (caching on or off). */
@ExtendWith(VertxExtension.class)
class ReadCacheTest {

  @TempDir
  Path dir;

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 10_000})
  void getSeesEveryCompletedWrite(int cacheSize, Vertx vertx) {
    TideImpl tide = (TideImpl) Tide.open(vertx, new TideOptions().setDbPath(dir.resolve("c" + cacheSize + ".db").toString())
      .setReadCacheSize(cacheSize)).await();
    try {
      TideCollection notes = tide.collection("notes");
      for (int i = 0; i < 200; i++) {
        String id = "k" + (i % 7);
        notes.put(id, new JsonObject().put("i", i)).await();
        assertEquals(i, notes.get(id).await().getInteger("i"));
        JsonObject copy = notes.get(id).await();
        copy.put("i", -1); // callers get their own object
        assertEquals(i, notes.get(id).await().getInteger("i"));
      }
      notes.delete("k1").await();
      assertNull(notes.get("k1").await());
      // a large commit refreshes cached documents (and does not add the others)
      tide.batch(b -> {
        for (int i = 0; i < 100; i++) {
          b.put("notes", i == 50 ? "k3" : "big" + i, new JsonObject().put("i", "big" + i));
        }
      }).await();
      assertEquals("big50", notes.get("k3").await().getString("i"));
      assertEquals("big7", notes.get("big7").await().getString("i"));
      assertEquals("big7", notes.get("big7").await().getString("i"));
      tide.applyRemote(List.of(new Change("notes", "k2", new Stamp(10_000, "zz"), new JsonObject().put("i", "remote"),
        ChangeSource.REMOTE)), null).await();
      assertEquals("remote", notes.get("k2").await().getString("i"));
      assertNull(notes.get("never").await());
    } finally {
      tide.close().await();
    }
  }

  /**
   * A reader racing the writer on one document (evicted all the time) never sees its value go back:
   * with single puts (the cache is updated) and with large batches (the cache only refreshes entries).
   */
  @ParameterizedTest
  @ValueSource(ints = {1, 70})
  void concurrentReadsNeverGoBackwards(int docsPerWrite, Vertx vertx) throws Exception {
    Tide tide = Tide.open(vertx, new TideOptions().setDbPath(dir.resolve("race" + docsPerWrite + ".db").toString())
      .setReadCacheSize(1)).await();
    TideCollection notes = tide.collection("notes");
    for (int i = 0; i < 3; i++) {
      notes.put("cold" + i, new JsonObject()).await(); // what the evictor reads, pushing "hot" out
    }
    AtomicBoolean done = new AtomicBoolean();
    AtomicInteger lastCompleted = new AtomicInteger(-1);
    AtomicInteger violations = new AtomicInteger();
    AtomicInteger reads = new AtomicInteger();
    Promise<Void> readerDone = Promise.promise();
    Promise<Void> evictorDone = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> readLoop(notes, done, lastCompleted, violations, reads, readerDone));
    vertx.getOrCreateContext().runOnContext(v -> evictLoop(notes, done, 0, evictorDone));
    for (int i = 0; i < 1000; i++) {
      JsonObject doc = new JsonObject().put("i", i);
      if (docsPerWrite == 1) {
        notes.put("hot", doc).await();
      } else {
        tide.batch(b -> {
          for (int k = 1; k < docsPerWrite; k++) {
            b.put("notes", "filler" + k, new JsonObject());
          }
          b.put("notes", "hot", doc);
        }).await();
      }
      lastCompleted.set(i);
    }
    done.set(true);
    Future.all(readerDone.future(), evictorDone.future()).await(30, java.util.concurrent.TimeUnit.SECONDS);
    assertEquals(0, violations.get(), "a get returned a value older than a write completed before it started");
    assertTrue(reads.get() > 100, "reads " + reads.get());
    assertEquals(999, notes.get("hot").await().getInteger("i"));
    tide.close().await();
  }

  private static void readLoop(TideCollection notes, AtomicBoolean done, AtomicInteger lastCompleted, AtomicInteger violations,
                               AtomicInteger reads, Promise<Void> finished) {
    if (done.get()) {
      finished.complete();
      return;
    }
    int floor = lastCompleted.get(); // every write up to this one completed before this get started
    notes.get("hot").onComplete(ar -> {
      reads.incrementAndGet();
      JsonObject doc = ar.result();
      if (doc != null && doc.getInteger("i") < floor) {
        violations.incrementAndGet();
      }
      // continue on a later turn of the event loop: a cached get completes at once
      io.vertx.core.Vertx.currentContext().runOnContext(v -> readLoop(notes, done, lastCompleted, violations, reads, finished));
    });
  }

  /** Keeps the one-entry cache busy with other documents, so reads of "hot" keep going to the store. */
  private static void evictLoop(TideCollection notes, AtomicBoolean done, int n, Promise<Void> finished) {
    if (done.get()) {
      finished.complete();
      return;
    }
    notes.get("cold" + (n % 3)).onComplete(ar ->
      io.vertx.core.Vertx.currentContext().runOnContext(v -> evictLoop(notes, done, n + 1, finished)));
  }
}
