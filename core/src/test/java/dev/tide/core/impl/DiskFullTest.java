package dev.tide.core.impl;

import dev.tide.core.Change;
import dev.tide.core.Stamp;
import dev.tide.core.Tide;
import dev.tide.core.TideOptions;
import dev.tide.tests.core.Sql;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.Field;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A full disk (SQLITE_FULL, made with max_page_count) fails the writes that do not fit, and only them;
 * once there is room again the store writes on. sqlite-jdbc finalizes a statement whose step failed,
 * and SQLite rolls the transaction back by itself: the writer must prepare its statements again.
 */
@ExtendWith(VertxExtension.class)
class DiskFullTest {

  @TempDir
  Path dir;

  /** Runs one query on the writer's connection, inside the writer's transaction. */
  static final class Pragma extends WriteTask<WriterStore, Long> {
    final String sql;

    Pragma(Vertx vertx, String sql) {
      super(vertx.getOrCreateContext());
      this.sql = sql;
    }

    @Override
    protected Long run(WriterStore store, List<Change> events) throws java.sql.SQLException {
      try {
        Field f = WriterStore.class.getDeclaredField("conn");
        f.setAccessible(true);
        try (Statement st = ((Connection) f.get(store)).createStatement(); ResultSet rs = st.executeQuery(sql)) {
          return rs.next() ? rs.getLong(1) : -1;
        }
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  @Test
  void aFullDiskFailsOnlyTheWritesThatDoNotFit(Vertx vertx) {
    String path = dir.resolve("full.db").toString();
    TideImpl tide = (TideImpl) Tide.open(vertx, new TideOptions().setDbPath(path).setReadCacheSize(0)).await();
    List<String> events = new CopyOnWriteArrayList<>();
    vertx.eventBus().<Change>consumer(tide.address(), m -> events.add(m.body().id()));
    long pages = tide.writer().submit(new Pragma(vertx, "PRAGMA page_count")).await();
    tide.writer().submit(new Pragma(vertx, "PRAGMA max_page_count = " + (pages + 40))).await();
    List<Future<Stamp>> puts = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      puts.add(tide.collection("notes").put("d" + i, new JsonObject().put("pad", "x".repeat(200))));
    }
    Future.join(puts).otherwiseEmpty().await();
    Set<String> acked = new HashSet<>();
    for (int i = 0; i < puts.size(); i++) {
      if (puts.get(i).succeeded()) {
        acked.add("d" + i);
      }
    }
    assertTrue(acked.size() < puts.size(), "the disk filled up");

    // room again: the store writes on
    tide.writer().submit(new Pragma(vertx, "PRAGMA max_page_count = 1073741823")).await();
    tide.collection("notes").put("after", new JsonObject()).await();
    tide.batch(b -> b.put("notes", "after2", new JsonObject()).put("notes", "after3", new JsonObject())).await();
    Set<String> expected = new HashSet<>(acked);
    expected.addAll(List.of("after", "after2", "after3"));
    await().until(() -> events.size() >= expected.size());
    tide.close().await();

    Set<String> stored = new HashSet<>();
    for (List<Object> row : Sql.query(path, "SELECT id FROM tide_docs")) {
      stored.add((String) row.get(0));
    }
    assertEquals(expected, stored, "what was acknowledged is what is stored");
    assertEquals(expected, new HashSet<>(events), "one event for each committed write, none for a failed one");
    assertEquals(expected.size(), events.size());
    assertEquals((long) expected.size(), Sql.count(path, "SELECT count(*) FROM tide_outbox"));
  }
}
