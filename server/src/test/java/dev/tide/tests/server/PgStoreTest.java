package dev.tide.tests.server;

import dev.tide.core.Change;
import dev.tide.core.ChangeSource;
import dev.tide.core.OpResult;
import dev.tide.core.Stamp;
import dev.tide.core.StoreException;
import dev.tide.core.Synchronous;
import dev.tide.server.impl.PgServerStore;
import dev.tide.server.impl.SqliteServerStore;
import dev.tide.server.spi.CommittedChanges;
import dev.tide.server.spi.PullPage;
import dev.tide.server.spi.ServerStore;
import dev.tide.server.spi.StoredChange;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The PostgreSQL store, at the SPI: what only it does (several instances, its schema) and pages as the SQLite store's. */
@ExtendWith(VertxExtension.class)
class PgStoreTest {

  PgTestSchema schema;
  final List<ServerStore> opened = new ArrayList<>();

  @BeforeEach
  void schema(Vertx vertx) {
    schema = PgTestSchema.create(vertx);
  }

  @AfterEach
  void drop() {
    try {
      opened.forEach(s -> s.close().await());
    } finally {
      if (schema != null) {
        schema.close();
      }
    }
  }

  ServerStore open(Vertx vertx, boolean listen) {
    ServerStore s = PgServerStore.open(vertx, schema.url(), 3, listen).await();
    opened.add(s);
    return s;
  }

  static Change put(String id, long counter, String node, String json) {
    return Change.ofJson("c", id, new Stamp(counter, node), json, ChangeSource.REMOTE);
  }

  static Change delete(String id, long counter, String node) {
    return Change.ofJson("c", id, new Stamp(counter, node), null, ChangeSource.REMOTE);
  }

  @Test
  void reopenKeepsEpochAndSequence(Vertx vertx) {
    ServerStore a = open(vertx, true);
    a.push("", List.of(put("x", 1, "n", "{}"), put("y", 2, "n", "{}"))).await();
    ServerStore b = open(vertx, true);
    assertEquals(a.epoch(), b.epoch());
    assertEquals(2, b.lastSeq());
    assertEquals(2, b.pull("", 0, null, 10, 1 << 20).await().changes().size());
  }

  /** Its connections show as tide-server in pg_stat_activity, unless the URL names them. */
  @Test
  void connectionsNameThemselves(Vertx vertx) {
    String mine = "tide_" + schema.name.substring(schema.name.length() - 12);
    ServerStore named = PgServerStore.open(vertx, schema.url() + "&application_name=" + mine, 2, true).await();
    opened.add(named);
    open(vertx, true);
    assertTrue(Long.parseLong(schema.value("SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + mine + "'")) >= 2,
      "the pool's connection and the LISTEN one");
    assertNotEquals("0", schema.value("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'tide-server'"));
  }

  /** Node ids compare by bytes, as on every client ("a" > "B"), whatever the database's collation would say. */
  @Test
  void nodeIdsCompareByBytes(Vertx vertx) {
    ServerStore s = open(vertx, true);
    assertEquals(List.of(OpResult.APPLIED), s.push("", List.of(put("x", 5, "a", "{\"v\":1}"))).await());
    assertEquals(List.of(OpResult.SUPERSEDED), s.push("", List.of(put("x", 5, "B", "{\"v\":2}"))).await());
    assertEquals(List.of(OpResult.APPLIED), s.push("", List.of(put("x", 5, "b", "{\"v\":3}"))).await());
    // and so on a database whose default collation is a language's (this one's may be C already)
    assertEquals("C", schema.value("SELECT collation_name FROM information_schema.columns"
      + " WHERE table_schema = current_schema() AND table_name = 'tide_server_docs' AND column_name = 'node'"));
  }

  /** Replays (spelled otherwise too), reused stamps, the clock bound and a document twice in one request. */
  @Test
  void lastWriterWinsRules(Vertx vertx) {
    ServerStore s = open(vertx, true);
    s.push("", List.of(put("x", 3, "n", "{\"a\":1,\"b\":2}"))).await();
    long seq = s.lastSeq();
    List<OpResult> r = s.push("", List.of(
      put("x", 3, "n", "{ \"b\": 2, \"a\": 1 }"), // a replay, encoded again
      put("y", 1L << 31, "n", "{}"), // more than 2^30 above the highest counter
      put("z", 4, "n", "{\"v\":1}"),
      put("z", 6, "n", "{\"v\":2}"), // the same document again: a later run
      put("z", 5, "n", "{\"v\":3}"))).await();
    assertEquals(OpResult.APPLIED, r.get(0));
    assertEquals("clock_ahead", r.get(1).code());
    assertEquals(List.of(OpResult.APPLIED, OpResult.APPLIED, OpResult.SUPERSEDED), r.subList(2, 5));
    assertEquals(OpResult.restamp(6), s.push("", List.of(put("x", 3, "n", "{\"a\":9}"))).await().get(0), "a reused stamp");
    PullPage page = s.pull("", seq, null, 10, 1 << 20).await();
    assertEquals(1, page.changes().size(), "z once, at its newest state: " + page.changes());
    assertEquals("{\"v\":2}", page.changes().get(0).body());
    assertEquals(s.lastSeq(), page.lastSeq());
  }

  /** Pages as the SQLite store's: the same scenario gives the same pages (limits, byte budget, own writes skipped). */
  @Test
  void pagesMatchTheSqliteStore(Vertx vertx, @TempDir Path dir) {
    ServerStore pg = open(vertx, true);
    ServerStore lite = SqliteServerStore.open(vertx, dir.resolve("s.db").toString(), Synchronous.NORMAL).await();
    opened.add(lite);
    List<Change> ops = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      String body = i % 7 == 3 ? null : "{\"t\":\"" + "é".repeat(i * 50) + "\"}"; // UTF-8 bytes count, not chars
      ops.add(body == null ? delete("d" + i, i + 1, i % 3 == 0 ? "me" : "o") : put("d" + i, i + 1, i % 3 == 0 ? "me" : "o", body));
    }
    assertEquals(lite.push("", ops).await(), pg.push("", ops).await());
    assertEquals(lite.push("other", List.of(put("q", 1, "o", "{}"))).await(), pg.push("other", List.of(put("q", 1, "o", "{}"))).await());
    for (String exclude : new String[] {null, "me"}) {
      for (int[] limits : new int[][] {{5, 1 << 20}, {100, 3000}, {100, 1}, {3, 500}}) {
        long at = 0;
        long liteAt = 0;
        boolean more = true;
        while (more) {
          PullPage a = lite.pull("", liteAt, exclude, limits[0], limits[1]).await();
          PullPage b = pg.pull("", at, exclude, limits[0], limits[1]).await();
          assertEquals(ids(a.changes()), ids(b.changes()), "exclude " + exclude + ", limits " + limits[0] + "/" + limits[1]);
          assertEquals(a.more(), b.more());
          for (int k = 0; k < a.changes().size(); k++) {
            assertEquals(a.changes().get(k).body(), b.changes().get(k).body());
            assertEquals(a.changes().get(k).stamp(), b.changes().get(k).stamp());
          }
          more = a.more();
          liteAt = a.lastSeq();
          at = b.lastSeq();
        }
        assertEquals(pg.lastSeq(), at, "a pull that is caught up moves the cursor to the end");
      }
    }
  }

  static List<String> ids(List<StoredChange> changes) {
    return changes.stream().map(StoredChange::id).toList();
  }

  /** A purge raises purgedSeq here and on the other instance; a write below the purged counter of a missing document is stamped again. */
  @Test
  void purgeIsSharedAndGuardsResurrection(Vertx vertx) {
    ServerStore a = open(vertx, true);
    ServerStore b = open(vertx, true);
    a.push("", List.of(put("x", 3, "n", "{}"), delete("t", 10, "n"), put("y", 4, "n", "{}"))).await();
    assertEquals(1L, a.purgeTombstones(System.currentTimeMillis() + 60_000).await());
    assertEquals(2, a.purgedSeq(), "the tombstone's sequence");
    await().atMost(10, TimeUnit.SECONDS).until(() -> b.purgedSeq() == 2);
    assertEquals(OpResult.restamp(10), b.push("", List.of(put("t", 9, "m", "{}"))).await().get(0));
    assertEquals(OpResult.SUPERSEDED, b.push("", List.of(put("x", 2, "m", "{}"))).await().get(0), "below the purged counter, stored and older");
    assertEquals(OpResult.APPLIED, b.push("", List.of(put("x", 5, "m", "{}"))).await().get(0));
    assertEquals(OpResult.APPLIED, b.push("", List.of(put("t", 11, "m", "{}"))).await().get(0));
    assertEquals(0L, a.purgeTombstones(System.currentTimeMillis() + 60_000).await());
  }

  /** Another instance's commit: signalled by NOTIFY; without it, refresh reads the new sequence. */
  @Test
  void otherInstancesLearnOfCommits(Vertx vertx) {
    ServerStore a = open(vertx, true);
    ServerStore listening = open(vertx, true);
    ServerStore deaf = open(vertx, false);
    List<CommittedChanges> heard = new CopyOnWriteArrayList<>();
    listening.signal().subscribe(heard::add);
    List<CommittedChanges> own = new CopyOnWriteArrayList<>();
    a.signal().subscribe(own::add);
    a.push("", List.of(put("x", 1, "n", "{}"))).await();
    assertEquals(1, own.size());
    assertEquals(List.of("x"), ids(own.get(0).byNamespace().get("")), "its own commit, with what it wrote");
    await().atMost(10, TimeUnit.SECONDS).until(() -> heard.stream().anyMatch(c -> c.toSeq() == 1));
    assertNull(heard.get(heard.size() - 1).byNamespace(), "another instance's commit: by its sequence");
    assertEquals(1, listening.lastSeq());
    assertEquals(0, deaf.lastSeq());
    deaf.refresh().await();
    assertEquals(1, deaf.lastSeq());
  }

  /**
   * Writers on two instances at once, a reader following the sequence on a third: the reader never passes
   * a sequence that commits later (it would miss that change), and every document ends at its highest stamp.
   */
  @Test
  void concurrentWritersOnTwoInstancesNeverSkipAChange(Vertx vertx) {
    ServerStore a = open(vertx, true);
    ServerStore b = open(vertx, true);
    ServerStore reader = open(vertx, false);
    Map<String, Stamp> highest = new java.util.concurrent.ConcurrentHashMap<>();
    Map<String, Stamp> seen = new HashMap<>();
    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicLong counter = new AtomicLong();
    List<Future<Void>> writers = new ArrayList<>();
    for (int w = 0; w < 4; w++) {
      ServerStore store = w % 2 == 0 ? a : b;
      String node = "w" + w;
      Random random = new Random(w);
      Future<Void> chain = Future.succeededFuture();
      for (int round = 0; round < 30; round++) {
        chain = chain.compose(v -> {
          List<Change> ops = new ArrayList<>();
          for (int k = 0; k < 10; k++) {
            Change op = put("d" + random.nextInt(60), counter.incrementAndGet(), node, "{\"w\":\"" + node + "\"}");
            if (ops.stream().noneMatch(o -> o.id().equals(op.id()))) {
              ops.add(op);
            }
          }
          return store.push("", ops).map(results -> {
            for (int k = 0; k < ops.size(); k++) {
              if (results.get(k) == OpResult.APPLIED) {
                highest.merge(ops.get(k).id(), ops.get(k).stamp(), (x, y) -> x.beats(y) ? x : y);
              }
            }
            return null;
          });
        });
      }
      writers.add(chain);
    }
    Future.all(writers).onComplete(ar -> writing.set(false));
    long at = 0;
    long seenA = 0;
    long seenB = 0;
    while (true) {
      // concurrent commits never look like a database that went back (lastSeq never moves down)
      assertTrue(a.lastSeq() >= seenA && b.lastSeq() >= seenB, "lastSeq moved down: " + seenA + " -> " + a.lastSeq()
        + ", " + seenB + " -> " + b.lastSeq());
      seenA = a.lastSeq();
      seenB = b.lastSeq();
      boolean wasWriting = writing.get();
      PullPage page = reader.pull("", at, null, 7, 1 << 20).await();
      page.changes().forEach(c -> seen.put(c.id(), c.stamp()));
      at = page.lastSeq();
      if (!wasWriting && !page.more()) {
        break;
      }
    }
    assertTrue(Future.all(writers).succeeded(), "every push committed");
    assertEquals(highest, seen, "the reader followed every commit, and each document holds its highest stamp");
    assertFalse(highest.isEmpty());
  }

  /** A first run with {@code ?search_path=name} works: the schema is created (the tables could not be, without it). */
  @Test
  void theSearchPathSchemaIsCreatedIfMissing(Vertx vertx) {
    String missing = schema.name + "_new";
    String url = schema.url().replace("search_path=" + schema.name, "search_path=" + missing);
    try {
      ServerStore s = PgServerStore.open(vertx, url, 2, true).await();
      opened.add(s);
      s.push("", List.of(put("x", 1, "n", "{}"))).await();
      assertEquals("1", schema.value("SELECT count(*) FROM " + missing + ".tide_server_docs"));
    } finally {
      opened.forEach(s -> s.close().await());
      opened.clear();
      schema.sql("DROP SCHEMA IF EXISTS " + missing + " CASCADE");
    }
  }

  /**
   * A role that may only read and write the tables, whose transactions default to repeatable read: it
   * opens the store (CREATE ... IF NOT EXISTS needs the privilege to create even when the table exists),
   * and concurrent pushes all commit (under repeatable read, a push that waited for the meta row's lock
   * failed to serialize).
   */
  @Test
  void aDataOnlyRoleWithRepeatableReadDefault(Vertx vertx) {
    open(vertx, true).close().await(); // the tables, created by the owner
    opened.clear();
    String role = schema.name + "_rw";
    schema.sql("CREATE ROLE " + role + " LOGIN");
    try {
      schema.sql("ALTER ROLE " + role + " SET default_transaction_isolation = 'repeatable read'");
      schema.sql("GRANT USAGE ON SCHEMA " + schema.name + " TO " + role);
      schema.sql("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA " + schema.name + " TO " + role);
      String url = schema.url().replaceFirst("postgresql://[^@/]*@", "postgresql://" + role + "@");
      ServerStore a = PgServerStore.open(vertx, url, 3, true).await();
      opened.add(a);
      ServerStore b = PgServerStore.open(vertx, url, 3, true).await();
      opened.add(b);
      List<Future<List<OpResult>>> pushes = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        pushes.add((i % 2 == 0 ? a : b).push("", List.of(put("d" + (i % 5), i + 1, "n" + i, "{}"))));
      }
      Future.join(pushes).await(30, TimeUnit.SECONDS);
      for (Future<List<OpResult>> f : pushes) {
        assertTrue(f.succeeded(), () -> "a push failed: " + f.cause());
      }
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError(e);
    } finally {
      opened.forEach(st -> st.close().await());
      opened.clear();
      schema.sql("DROP OWNED BY " + role);
      schema.sql("DROP ROLE " + role);
    }
  }

  /**
   * The database lost commits this server had handed out (restored, or failed over to a replica that was
   * behind): a pull from a lost position is refused with database_changed, and the store takes the
   * database's sequence, so that new commits are not hidden behind positions clients already passed.
   */
  @Test
  void aDatabaseThatLostCommitsIsDetected(Vertx vertx) {
    ServerStore s = open(vertx, true);
    s.push("", List.of(put("a", 1, "n", "{}"), put("b", 2, "n", "{}"), put("c", 3, "n", "{}"))).await();
    assertEquals(3, s.lastSeq());
    schema.sql("DELETE FROM tide_server_docs WHERE seq > 1");
    schema.sql("UPDATE tide_server_meta SET last_seq = 1");
    s.push("", List.of(put("d", 4, "n", "{}"))).await(); // a commit finds the database behind
    assertEquals(2, s.lastSeq(), "the database's sequence, not the higher one it lost");
    RuntimeException e = assertThrows(RuntimeException.class, () -> s.pull("", 3, null, 10, 1 << 20).await());
    assertTrue(e.getMessage().contains("ahead of this database"), e.getMessage());
    schema.sql("UPDATE tide_server_meta SET last_seq = 1"); // and a read finds it too
    assertThrows(RuntimeException.class, () -> s.pull("", 2, null, 10, 1 << 20).await());
    assertEquals(1, s.lastSeq());
  }

  @Test
  void aNewerSchemaIsRefused(Vertx vertx) {
    open(vertx, true).close().await();
    opened.clear();
    schema.sql("UPDATE tide_server_meta SET schema_version = 99");
    StoreException e = assertThrows(StoreException.class, () -> PgServerStore.open(vertx, schema.url(), 2, true).await());
    assertTrue(e.getMessage().contains("newer"), e.getMessage());
  }

  @Test
  void unreachableDatabaseFailsTheOpenWithoutThePassword(Vertx vertx) {
    // a loopback port nothing listens on
    StoreException e = assertThrows(StoreException.class,
      () -> PgServerStore.open(vertx, "postgresql://u:secret@127.0.0.1:1/test", 2, true).await());
    assertFalse(e.getMessage().contains("secret"), e.getMessage());
    assertNotEquals("", e.getMessage());
  }
}
