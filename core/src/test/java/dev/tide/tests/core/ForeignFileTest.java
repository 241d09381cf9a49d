package dev.tide.tests.core;

import dev.tide.core.StoreException;
import dev.tide.core.Tide;
import dev.tide.core.TideOptions;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A file the store refuses is left byte for byte as it was, with nothing created beside it. */
@ExtendWith(VertxExtension.class)
class ForeignFileTest {

  @TempDir
  Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"delete", "wal"})
  void anotherApplicationsFileIsLeftUntouched(String journalMode, Vertx vertx) throws Exception {
    Path file = ForeignFiles.create(dir.resolve(journalMode), journalMode);
    byte[] before = Files.readAllBytes(file);
    StoreException e = assertThrows(StoreException.class, () -> Tide.open(vertx, new TideOptions().setDbPath(file.toString())).await());
    assertEquals(file + " is an SQLite file with other tables, not a tide store", e.getMessage());
    ForeignFiles.assertUntouched(file, before);
    assertEquals(journalMode, Sql.query(file.toString(), "PRAGMA journal_mode").get(0).get(0));
  }

  @Test
  void anotherApplicationIdIsLeftUntouched(Vertx vertx) throws Exception {
    Path file = ForeignFiles.create(dir, "delete");
    Sql.exec(file.toString(), "PRAGMA application_id = 42");
    byte[] before = Files.readAllBytes(file);
    StoreException e = assertThrows(StoreException.class, () -> Tide.open(vertx, new TideOptions().setDbPath(file.toString())).await());
    assertEquals(file + " is not a tide store (application_id 42)", e.getMessage());
    ForeignFiles.assertUntouched(file, before);
  }

  @Test
  void aNewerStoreIsLeftUntouched(Vertx vertx) throws Exception {
    Path file = dir.resolve("future.db");
    TideOptions options = new TideOptions().setDbPath(file.toString());
    Tide.open(vertx, options).await().close().await();
    Files.delete(dir.resolve("future.db.lock"));
    Sql.exec(file.toString(), "PRAGMA user_version = 99");
    byte[] before = Files.readAllBytes(file);
    StoreException e = assertThrows(StoreException.class, () -> Tide.open(vertx, options).await());
    assertTrue(e.getMessage().contains("newer than this library"), e.getMessage());
    ForeignFiles.assertUntouched(file, before);
  }

  @Test
  void aFileThatIsNotSqliteIsRefusedUntouched(Vertx vertx) throws Exception {
    Path file = dir.resolve("notes.txt");
    Files.writeString(file, "not a database, but long enough to hold an SQLite header of one hundred bytes ".repeat(3));
    byte[] before = Files.readAllBytes(file);
    StoreException e = assertThrows(StoreException.class, () -> Tide.open(vertx, new TideOptions().setDbPath(file.toString())).await());
    assertTrue(e.getMessage().startsWith("cannot read " + file + " as a tide store: "), e.getMessage());
    ForeignFiles.assertUntouched(file, before);
  }
}
