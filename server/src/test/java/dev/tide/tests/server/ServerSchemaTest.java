package dev.tide.tests.server;

import dev.tide.core.StoreException;
import dev.tide.server.TideServer;
import dev.tide.server.TideServerOptions;
import dev.tide.tests.core.ForeignFiles;
import dev.tide.tests.core.Sql;
import io.vertx.core.Vertx;
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
class ServerSchemaTest {

  @TempDir
  Path dir;

  /** A version-1 server file, written with the v1 DDL verbatim: no commit times. */
  @Test
  void migratesVersion1(Vertx vertx) {
    String path = dir.resolve("v1.db").toString();
    Sql.exec(path,
      "CREATE TABLE tide_server_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
      "CREATE TABLE tide_server_docs(ns TEXT NOT NULL, collection TEXT NOT NULL, id TEXT NOT NULL, counter INTEGER NOT NULL,"
        + " node TEXT NOT NULL, deleted INTEGER NOT NULL, body TEXT, seq INTEGER NOT NULL, PRIMARY KEY(ns, collection, id)) WITHOUT ROWID",
      "CREATE UNIQUE INDEX tide_server_docs_seq ON tide_server_docs(ns, seq)",
      "INSERT INTO tide_server_meta VALUES ('epoch', 'oldEpoch')",
      "INSERT INTO tide_server_docs VALUES ('', 'notes', 'kept', 5, 'n', 0, '{\"v\":1}', 1)",
      "INSERT INTO tide_server_docs VALUES ('', 'notes', 'gone', 6, 'n', 1, NULL, 2)",
      "PRAGMA application_id = " + 0x74646573,
      "PRAGMA user_version = 1");
    TideServer server = TideServer.open(vertx, new TideServerOptions().setDbPath(path)).await();
    try {
      assertEquals("oldEpoch", server.store().epoch());
      assertEquals(2L, server.store().lastSeq());
      // v1 rows count as committed at time 0: their tombstones are the first purged
      assertEquals(1L, server.store().purgeTombstones(1).await());
      assertEquals(2L, server.store().purgedSeq());
    } finally {
      server.close().await();
    }
    assertEquals(3L, Sql.count(path, "PRAGMA user_version"));
    assertEquals(1L, Sql.count(path, "SELECT count(*) FROM tide_server_docs"));
    assertEquals(List.of(List.of("ns"), List.of("seq"), List.of("node")),
      Sql.query(path, "SELECT name FROM pragma_index_info('tide_server_docs_seq') ORDER BY seqno"));
  }

  /** A version-2 server file: commit times, and a unique sequence index without the node. */
  @Test
  void migratesVersion2(Vertx vertx) {
    String path = dir.resolve("v2.db").toString();
    Sql.exec(path,
      "CREATE TABLE tide_server_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
      "CREATE TABLE tide_server_docs(ns TEXT NOT NULL, collection TEXT NOT NULL, id TEXT NOT NULL, counter INTEGER NOT NULL,"
        + " node TEXT NOT NULL, deleted INTEGER NOT NULL, body TEXT, seq INTEGER NOT NULL, committed_at INTEGER NOT NULL DEFAULT 0,"
        + " PRIMARY KEY(ns, collection, id)) WITHOUT ROWID",
      "CREATE UNIQUE INDEX tide_server_docs_seq ON tide_server_docs(ns, seq)",
      "CREATE INDEX tide_server_tombstones ON tide_server_docs(committed_at) WHERE deleted = 1",
      "INSERT INTO tide_server_meta VALUES ('epoch', 'v2Epoch')",
      "INSERT INTO tide_server_docs VALUES ('', 'notes', 'a', 5, 'A', 0, '{\"v\":1}', 1, 1000)",
      "INSERT INTO tide_server_docs VALUES ('', 'notes', 'b', 6, 'B', 0, '{\"v\":2}', 2, 1000)",
      "INSERT INTO tide_server_docs VALUES ('', 'notes', 'c', 7, 'A', 0, '{\"v\":3}', 3, 1000)",
      "PRAGMA application_id = " + 0x74646573,
      "PRAGMA user_version = 2");
    TideServer server = TideServer.open(vertx, new TideServerOptions().setDbPath(path)).await();
    try {
      assertEquals(3L, server.store().lastSeq());
      var page = server.store().pull("", 0, "A", 10, 1 << 20).await();
      assertEquals(List.of("b"), page.changes().stream().map(c -> c.id()).toList());
      assertEquals(3L, page.lastSeq(), "past A's own last write");
      assertFalse(page.more());
    } finally {
      server.close().await();
    }
    assertEquals(3L, Sql.count(path, "PRAGMA user_version"));
    assertEquals(List.of(List.of("ns"), List.of("seq"), List.of("node")),
      Sql.query(path, "SELECT name FROM pragma_index_info('tide_server_docs_seq') ORDER BY seqno"));
    assertEquals(1L, Sql.count(path, "SELECT count(*) FROM sqlite_master WHERE name = 'tide_server_tombstones'"));
  }

  @Test
  void newerAndForeignFilesAreRefused(Vertx vertx) {
    String newer = dir.resolve("newer.db").toString();
    TideServer.open(vertx, new TideServerOptions().setDbPath(newer)).await().close().await();
    Sql.exec(newer, "PRAGMA user_version = 7");
    StoreException e = assertThrows(StoreException.class, () -> TideServer.open(vertx, new TideServerOptions().setDbPath(newer)).await());
    assertTrue(e.getMessage().contains("newer"), e.getMessage());
    String foreign = dir.resolve("foreign.db").toString();
    Sql.exec(foreign, "CREATE TABLE t(x)");
    assertThrows(StoreException.class, () -> TideServer.open(vertx, new TideServerOptions().setDbPath(foreign)).await());
  }

  /** A refused file keeps its bytes (its journal mode among them), with no -wal, -shm or .lock beside it. */
  @Test
  void refusedFilesAreLeftUntouched(Vertx vertx) throws Exception {
    Path foreign = ForeignFiles.create(dir.resolve("foreign"), "delete");
    byte[] before = Files.readAllBytes(foreign);
    StoreException e = assertThrows(StoreException.class,
      () -> TideServer.open(vertx, new TideServerOptions().setDbPath(foreign.toString())).await());
    assertEquals(foreign + " is an SQLite file with other tables, not a tide server store", e.getMessage());
    ForeignFiles.assertUntouched(foreign, before);

    Path newer = Files.createDirectories(dir.resolve("newer")).resolve("newer.db");
    TideServer.open(vertx, new TideServerOptions().setDbPath(newer.toString())).await().close().await();
    Files.delete(dir.resolve("newer/newer.db.lock"));
    Sql.exec(newer.toString(), "PRAGMA user_version = 7");
    byte[] newerBefore = Files.readAllBytes(newer);
    e = assertThrows(StoreException.class, () -> TideServer.openSqliteStore(vertx, new TideServerOptions().setDbPath(newer.toString())).await());
    assertTrue(e.getMessage().contains("newer"), e.getMessage());
    ForeignFiles.assertUntouched(newer, newerBefore);
  }
}
