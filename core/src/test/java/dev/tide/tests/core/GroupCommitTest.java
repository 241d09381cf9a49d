package dev.tide.tests.core;

import dev.tide.core.Change;
import dev.tide.core.ChangeSource;
import dev.tide.core.Stamp;
import dev.tide.core.StoreException;
import dev.tide.core.Tide;
import dev.tide.core.TideOptions;
import dev.tide.core.impl.TideImpl;
import dev.tide.core.impl.WriteTask;
import dev.tide.core.impl.WriterStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class GroupCommitTest {

  @TempDir
  Path dir;

  @Test
  void thousandConcurrentPutsShareTransactions(Vertx vertx) {
    TideOptions opts = new TideOptions().setDbPath(dir.resolve("g.db").toString());
    TideImpl tide = (TideImpl) Tide.open(vertx, opts).await();
    long before = tide.writer().transactions();
    List<Future<Stamp>> puts = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      puts.add(tide.collection("notes").put("d" + i, new JsonObject().put("i", i)));
    }
    Future.all(puts).await();
    long transactions = tide.writer().transactions() - before;
    assertTrue(transactions < 1000, "transactions: " + transactions);
    Set<Stamp> stamps = new HashSet<>();
    puts.forEach(f -> stamps.add(f.result()));
    assertEquals(1000, stamps.size());
    tide.close().await();

    Tide again = Tide.open(vertx, opts).await();
    try {
      assertEquals(1000, again.collection("notes").list().await().size());
      assertEquals(1000L, again.pendingCount().await());
      for (int i = 0; i < 1000; i += 97) {
        assertEquals(i, again.collection("notes").get("d" + i).await().getInteger("i"));
      }
    } finally {
      again.close().await();
    }
  }

  /** Holds the writer thread until released, so that later submissions queue into one group. */
  static final class Gate extends WriteTask<WriterStore, Void> {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    Gate(Vertx vertx) {
      super(vertx.getOrCreateContext());
    }

    @Override
    protected Void run(WriterStore store, List<Change> events) {
      entered.countDown();
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return null;
    }
  }

  /** Writes a document and announces it, then fails: the whole transaction must roll back. */
  static final class Failing extends WriteTask<WriterStore, Void> {
    Failing(Vertx vertx) {
      super(vertx.getOrCreateContext());
    }

    @Override
    protected Void run(WriterStore store, List<Change> events) throws SQLException {
      Stamp s = store.nextStamp();
      store.writeLocal("notes", "doomed", "{}", s);
      events.add(new Change("notes", "doomed", s, new JsonObject(), ChangeSource.LOCAL));
      throw new SQLException("injected failure");
    }
  }

  @Test
  void aFailingTaskRollsBackAloneAndPublishesNothing(Vertx vertx) {
    String path = dir.resolve("f.db").toString();
    TideImpl tide = (TideImpl) Tide.open(vertx, new TideOptions().setDbPath(path)).await();
    List<Change> seen = new ArrayList<>();
    vertx.eventBus().<Change>consumer(tide.address(), m -> seen.add(m.body()));

    Gate gate = new Gate(vertx);
    Future<Void> gated = tide.writer().submit(gate);
    try {
      assertTrue(gate.entered.await(10, TimeUnit.SECONDS));
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
    Future<Stamp> before = tide.collection("notes").put("before", new JsonObject());
    Future<Void> failing = tide.writer().submit(new Failing(vertx));
    Future<Stamp> after = tide.collection("notes").put("after", new JsonObject());
    gate.release.countDown();

    gated.await();
    Stamp b = before.await();
    Stamp a = after.await();
    failing.transform(ar -> Future.succeededFuture()).await();
    assertTrue(failing.failed());
    assertInstanceOf(StoreException.class, failing.cause());
    assertTrue(failing.cause().getMessage().contains("injected failure"));

    assertNull(tide.collection("notes").document("doomed").await());
    assertEquals(2L, tide.pendingCount().await());
    assertEquals(0L, Sql.count(path, "SELECT count(*) FROM tide_outbox WHERE id = 'doomed'"));
    assertTrue(a.beats(b));
    // a later write's notification arrives after every earlier one: the doomed write never appears
    tide.collection("notes").put("marker", new JsonObject()).await();
    org.awaitility.Awaitility.await().until(() -> seen.stream().anyMatch(c -> c.id().equals("marker")));
    assertEquals(List.of("before", "after", "marker"), seen.stream().map(Change::id).toList());
    tide.close().await();
  }
}
