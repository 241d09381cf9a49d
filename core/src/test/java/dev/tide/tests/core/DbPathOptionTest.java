package dev.tide.tests.core;

import dev.tide.core.TideOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * dbPath must name a file: SQLite's in-memory and URI names were accepted, then failed at open with
 * "no such table: tide_docs" and left a stray lock file ({@code <cwd>.lock}, {@code :memory:.lock}).
 */
class DbPathOptionTest {

  static final String REFUSED = "dbPath must be a file's path (not an in-memory database or an SQLite URI), got \"";

  @ParameterizedTest
  @ValueSource(strings = {"", ":memory:", "file:x.db", "file::memory:?cache=shared", ":resource:x.db"})
  void inMemoryAndUriNamesAreRefused(String path) {
    assertEquals(REFUSED + path + "\"", assertThrows(IllegalArgumentException.class, () -> new TideOptions().setDbPath(path)).getMessage());
    assertEquals(REFUSED + path + "\"", assertThrows(IllegalArgumentException.class,
      () -> new TideOptions(new JsonObject().put("dbPath", path))).getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"x.db", "dir/:memory:", "a?b#c.db", "FILE:x.db"}) // plain files to SQLite
  void filePathsAreAccepted(String path) {
    assertEquals(path, new TideOptions(new JsonObject().put("dbPath", path)).getDbPath());
  }

  @Test
  void aPathWithANulIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TideOptions().setDbPath("a\0b.db"));
    assertTrue(e.getMessage().startsWith("dbPath is not a valid path: "), e.getMessage());
  }
}
