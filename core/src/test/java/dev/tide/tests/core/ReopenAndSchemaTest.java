package dev.tide.tests.core;

import dev.tide.core.StoreException;
import dev.tide.core.Stamp;
import dev.tide.core.Tide;
import dev.tide.core.TideOptions;
import dev.tide.core.impl.TideImpl;
import dev.tide.core.Change;
import dev.tide.core.ChangeSource;
import dev.tide.core.Document;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class ReopenAndSchemaTest {

  @TempDir
  Path dir;

  TideOptions options(String name) {
    return new TideOptions().setDbPath(dir.resolve(name).toString());
  }

  @Test
  void everythingSurvivesReopen(Vertx vertx) {
    TideOptions opts = options("r.db");
    TideImpl tide = (TideImpl) Tide.open(vertx, opts).await();
    String node = tide.nodeId();
    tide.collection("notes").put("a", new JsonObject().put("v", 1)).await();
    tide.collection("notes").delete("b").await();
    tide.applyRemote(List.of(new Change("notes", "r", new Stamp(40, "other"), new JsonObject(), ChangeSource.REMOTE)), "cur-1").await();
    Stamp last = tide.collection("notes").put("c", new JsonObject().put("v", 3)).await();
    tide.close().await();

    TideImpl again = (TideImpl) Tide.open(vertx, opts).await();
    try {
      assertEquals(node, again.nodeId());
      assertEquals(1, again.collection("notes").get("a").await().getInteger("v"));
      assertTrue(again.collection("notes").document("b").await().deleted());
      assertEquals(3L, again.pendingCount().await());
      assertTrue(again.collection("notes").document("a").await().pending());
      assertFalse(again.collection("notes").document("r").await().pending());
      Stamp next = again.collection("notes").put("d", new JsonObject()).await();
      assertEquals(last.counter() + 1, next.counter());
    } finally {
      again.close().await();
    }
    assertEquals("cur-1", Sql.query(opts.getDbPath(), "SELECT value FROM tide_meta WHERE key = 'cursor'").get(0).get(0));
  }

  @Test
  void nodeIdIsUrlSafeAndPerStore(Vertx vertx) {
    Tide a = Tide.open(vertx, options("a.db")).await();
    Tide b = Tide.open(vertx, options("b.db").setAddressPrefix("b")).await();
    try {
      assertTrue(a.nodeId().matches("[A-Za-z0-9_-]{1,64}"), a.nodeId());
      assertFalse(a.nodeId().equals(b.nodeId()));
    } finally {
      a.close().await();
      b.close().await();
    }
  }

  /** A version-1 file, written with the v1 DDL verbatim: docs without the pending column. */
  @Test
  void migratesVersion1(Vertx vertx) {
    String path = dir.resolve("v1.db").toString();
    Sql.exec(path,
      "PRAGMA journal_mode=WAL",
      "CREATE TABLE tide_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
      "CREATE TABLE tide_docs(collection TEXT NOT NULL, id TEXT NOT NULL, counter INTEGER NOT NULL,"
        + " node TEXT NOT NULL, deleted INTEGER NOT NULL, body TEXT, PRIMARY KEY(collection, id)) WITHOUT ROWID",
      "CREATE TABLE tide_outbox(counter INTEGER PRIMARY KEY, collection TEXT NOT NULL, id TEXT NOT NULL)",
      "INSERT INTO tide_meta VALUES ('node_id', 'oldnode'), ('clock', '7'), ('cursor', '99')",
      "INSERT INTO tide_docs VALUES ('notes', 'mine', 7, 'oldnode', 0, '{\"v\":\"mine\"}')",
      "INSERT INTO tide_docs VALUES ('notes', 'theirs', 5, 'server', 0, '{\"v\":\"theirs\"}')",
      "INSERT INTO tide_docs VALUES ('notes', 'gone', 6, 'oldnode', 1, NULL)",
      "INSERT INTO tide_outbox VALUES (6, 'notes', 'gone'), (7, 'notes', 'mine')",
      "PRAGMA user_version = 1");

    Tide tide = Tide.open(vertx, new TideOptions().setDbPath(path)).await();
    try {
      assertEquals("oldnode", tide.nodeId());
      assertEquals("mine", tide.collection("notes").get("mine").await().getString("v"));
      assertTrue(tide.collection("notes").document("mine").await().pending());
      assertFalse(tide.collection("notes").document("theirs").await().pending());
      assertTrue(tide.collection("notes").document("gone").await().pending());
      assertEquals(2L, tide.pendingCount().await());
      assertEquals(8, tide.collection("notes").put("x", new JsonObject()).await().counter());
    } finally {
      tide.close().await();
    }
    assertEquals(4L, Sql.count(path, "PRAGMA user_version"));
  }

  /** A version-3 file: version 4 adds the table of rejected writes. */
  @Test
  void migratesVersion3(Vertx vertx) {
    String path = dir.resolve("v3.db").toString();
    Sql.exec(path,
      "PRAGMA journal_mode=WAL",
      "CREATE TABLE tide_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
      "CREATE TABLE tide_docs(collection TEXT NOT NULL, id TEXT NOT NULL, counter INTEGER NOT NULL,"
        + " node TEXT NOT NULL, deleted INTEGER NOT NULL, body TEXT, PRIMARY KEY(collection, id)) WITHOUT ROWID",
      "CREATE TABLE tide_outbox(counter INTEGER PRIMARY KEY, collection TEXT NOT NULL, id TEXT NOT NULL)",
      "INSERT INTO tide_meta VALUES ('node_id', 'oldnode'), ('clock', '7'), ('clean', '1')",
      "INSERT INTO tide_docs VALUES ('notes', 'mine', 7, 'oldnode', 0, '{\"v\":\"mine\"}')",
      "INSERT INTO tide_outbox VALUES (7, 'notes', 'mine')",
      "PRAGMA application_id = 1953064037",
      "PRAGMA user_version = 3");

    Tide tide = Tide.open(vertx, new TideOptions().setDbPath(path)).await();
    try {
      assertTrue(tide.collection("notes").document("mine").await().pending());
      assertEquals(8, tide.collection("notes").put("x", new JsonObject()).await().counter());
    } finally {
      tide.close().await();
    }
    assertEquals(4L, Sql.count(path, "PRAGMA user_version"));
    assertEquals(0L, Sql.count(path, "SELECT count(*) FROM tide_rejected"));
  }

  /** A version-2 file, with the stored pending column that version 3 derives from the outbox instead. */
  @Test
  void migratesVersion2(Vertx vertx) {
    String path = dir.resolve("v2.db").toString();
    Sql.exec(path,
      "PRAGMA journal_mode=WAL",
      "CREATE TABLE tide_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
      "CREATE TABLE tide_docs(collection TEXT NOT NULL, id TEXT NOT NULL, counter INTEGER NOT NULL,"
        + " node TEXT NOT NULL, deleted INTEGER NOT NULL, body TEXT, pending INTEGER NOT NULL DEFAULT 0,"
        + " PRIMARY KEY(collection, id)) WITHOUT ROWID",
      "CREATE TABLE tide_outbox(counter INTEGER PRIMARY KEY, collection TEXT NOT NULL, id TEXT NOT NULL)",
      "INSERT INTO tide_meta VALUES ('node_id', 'oldnode'), ('clock', '9'), ('cursor', '99'), ('clean', '1')",
      "INSERT INTO tide_docs VALUES ('notes', 'mine', 7, 'oldnode', 0, '{\"v\":\"mine\"}', 1)",
      "INSERT INTO tide_docs VALUES ('notes', 'confirmed', 3, 'oldnode', 0, '{\"v\":\"ok\"}', 0)",
      "INSERT INTO tide_docs VALUES ('notes', 'theirs', 5, 'server', 0, '{\"v\":\"theirs\"}', 0)",
      "INSERT INTO tide_docs VALUES ('notes', 'gone', 9, 'oldnode', 1, NULL, 1)",
      // flagged pending but without its outbox entry: nothing would ever push it, so it counts as confirmed
      "INSERT INTO tide_docs VALUES ('notes', 'stray', 2, 'oldnode', 0, '{}', 1)",
      "INSERT INTO tide_outbox VALUES (7, 'notes', 'mine'), (9, 'notes', 'gone')",
      "PRAGMA application_id = 1953064037",
      "PRAGMA user_version = 2");

    Tide tide = Tide.open(vertx, new TideOptions().setDbPath(path)).await();
    try {
      assertEquals("mine", tide.collection("notes").get("mine").await().getString("v"));
      assertTrue(tide.collection("notes").document("mine").await().pending());
      assertFalse(tide.collection("notes").document("confirmed").await().pending());
      assertFalse(tide.collection("notes").document("theirs").await().pending());
      assertTrue(tide.collection("notes").document("gone").await().pending());
      assertFalse(tide.collection("notes").document("stray").await().pending());
      assertEquals(List.of("confirmed", "mine", "stray", "theirs"),
        tide.collection("notes").list().await().stream().map(Document::id).toList());
      assertEquals(2L, tide.pendingCount().await());
      assertEquals(10, tide.collection("notes").put("x", new JsonObject()).await().counter());
    } finally {
      tide.close().await();
    }
    assertEquals(4L, Sql.count(path, "PRAGMA user_version"));
    assertEquals(0L, Sql.count(path, "SELECT count(*) FROM pragma_table_info('tide_docs') WHERE name = 'pending'"));
  }

  @Test
  void newerSchemaIsRefusedAndLeftUntouched(Vertx vertx) throws Exception {
    String path = dir.resolve("future.db").toString();
    Tide.open(vertx, new TideOptions().setDbPath(path)).await().close().await();
    Sql.exec(path, "PRAGMA user_version = 99");
    byte[] before = Files.readAllBytes(Path.of(path));
    StoreException e = assertThrows(StoreException.class, () -> Tide.open(vertx, new TideOptions().setDbPath(path)).await());
    assertTrue(e.getMessage().contains("newer than this library"), e.getMessage());
    assertEquals(99L, Sql.count(path, "PRAGMA user_version"));
    assertEquals(before.length, Files.readAllBytes(Path.of(path)).length);
  }

  @Test
  void foreignFilesAreRefused(Vertx vertx) {
    String path = dir.resolve("other.db").toString();
    Sql.exec(path, "CREATE TABLE users(id INTEGER PRIMARY KEY)");
    StoreException e = assertThrows(StoreException.class, () -> Tide.open(vertx, new TideOptions().setDbPath(path)).await());
    assertTrue(e.getMessage().contains("not a tide store"), e.getMessage());
    assertEquals(1L, Sql.count(path, "SELECT count(*) FROM sqlite_master WHERE name = 'users'"));
  }

  @Test
  void secondOpenOfTheSameFileIsRefused(Vertx vertx) {
    TideOptions opts = options("locked.db");
    Tide first = Tide.open(vertx, opts).await();
    StoreException e = assertThrows(StoreException.class, () -> Tide.open(vertx, opts).await());
    assertTrue(e.getMessage().contains("already open"), e.getMessage());
    first.collection("notes").put("still", new JsonObject()).await();
    first.close().await();
    Tide second = Tide.open(vertx, opts).await(); // the lock is released on close
    second.close().await();
  }

  @Test
  void closedStoreFailsClearly(Vertx vertx) {
    Tide tide = Tide.open(vertx, options("closed.db")).await();
    tide.collection("notes").put("a", new JsonObject()).await();
    tide.close().await();
    assertFalse(Files.exists(dir.resolve("closed.db-wal")), "closed cleanly: WAL checkpointed and removed");
    assertThrows(StoreException.class, () -> tide.collection("notes").put("a", new JsonObject()).await());
    assertThrows(StoreException.class, () -> tide.collection("notes").get("a").await());
    tide.close().await(); // idempotent
  }

  @Test
  void fullSynchronousWorks(Vertx vertx) {
    TideOptions opts = options("full.db").setSynchronous(dev.tide.core.Synchronous.FULL);
    Tide tide = Tide.open(vertx, opts).await();
    tide.collection("notes").put("a", new JsonObject()).await();
    tide.close().await();
    assertEquals(1L, Sql.count(opts.getDbPath(), "SELECT count(*) FROM tide_docs"));
  }
}
