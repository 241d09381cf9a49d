package dev.tide.tests.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** SQLite files a store must refuse, and the check that a refused open left one exactly as it was. */
public final class ForeignFiles {

  private ForeignFiles() {
  }

  /** Another application's file, alone in {@code dir}: a table of its own, in the given journal mode. */
  public static Path create(Path dir, String journalMode) throws IOException {
    Files.createDirectories(dir);
    Path file = dir.resolve("foreign.db");
    Sql.exec(file.toString(), "PRAGMA journal_mode = " + journalMode, "CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT)",
      "INSERT INTO users VALUES (1, 'ada')");
    return file;
  }

  /** The file has the bytes it had, and nothing was created beside it (no -wal, -shm or .lock). */
  public static void assertUntouched(Path file, byte[] before) throws IOException {
    assertArrayEquals(before, Files.readAllBytes(file), "the file's bytes");
    try (Stream<Path> files = Files.list(file.getParent())) {
      assertEquals(List.of(file.getFileName().toString()), files.map(f -> f.getFileName().toString()).toList());
    }
  }
}
