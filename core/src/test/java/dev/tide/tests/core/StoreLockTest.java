package dev.tide.tests.core;

import dev.tide.core.StoreException;
import dev.tide.core.Tide;
import dev.tide.core.TideOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A second opener in ANOTHER process must be refused while this process holds the store open.
 * A refused open in this same JVM must not change that.
 */
@ExtendWith(VertxExtension.class)
class StoreLockTest {

  @TempDir
  Path dir;

  @Test
  void anotherProcessIsRefusedWhileOpen(Vertx vertx) throws Exception {
    String db = dir.resolve("l.db").toString();
    Tide first = Tide.open(vertx, new TideOptions().setDbPath(db)).await();
    try {
      // baseline: another process is refused
      String before = runChild(db);
      assertTrue(before.startsWith("REFUSED"), "before: " + before);
      // a second open in this JVM is refused, as documented ...
      assertThrows(StoreException.class, () -> Tide.open(vertx, new TideOptions().setDbPath(db).setAddressPrefix("other")).await());
      // ... and another process must still be refused
      String after = runChild(db);
      assertTrue(after.startsWith("REFUSED"), "after a refused same-JVM open, another process got: " + after);
    } finally {
      first.close().await();
    }
  }

  @Test
  void theSameFileThroughASymlinkIsRefused(Vertx vertx) throws Exception {
    Path real = dir.resolve("real.db");
    Tide first = Tide.open(vertx, new TideOptions().setDbPath(real.toString())).await();
    try {
      Path link = java.nio.file.Files.createSymbolicLink(dir.resolve("link.db"), real);
      assertThrows(StoreException.class, () -> Tide.open(vertx, new TideOptions().setDbPath(link.toString()).setAddressPrefix("other"))
          .await().close().await(),
        "a second store on the same SQLite file (through a symlink) must be refused");
    } finally {
      first.close().await();
    }
  }

  /** A symlink whose target does not exist yet: SQLite creates the target, and the lock is the target's. */
  @Test
  void aStoreOpenedThroughADanglingSymlinkLocksItsTarget(Vertx vertx) throws Exception {
    Path real = dir.resolve("target.db");
    Path link = java.nio.file.Files.createSymbolicLink(dir.resolve("dangling.db"), real);
    Tide first = Tide.open(vertx, new TideOptions().setDbPath(link.toString())).await();
    try {
      assertTrue(java.nio.file.Files.exists(real), "SQLite followed the symlink and created its target");
      assertThrows(StoreException.class, () -> Tide.open(vertx, new TideOptions().setDbPath(real.toString())
        .setAddressPrefix("other")).await().close().await());
      String child = runChild(real.toString());
      assertTrue(child.startsWith("REFUSED"), "another process opening the target got: " + child);
    } finally {
      first.close().await();
    }
  }

  /**
   * Was a bug: sqlite-jdbc reads what follows a '?' in a plain name as its own parameters and drops them, so a
   * store on "q.db?" or "q.db?synchronous=off" opened q.db, while another store held it, beside a lock file of
   * another name: two writers on one file, under one node id.
   */
  @Test
  void aNameWithAQuestionMarkOpensTheFileItNames(Vertx vertx) {
    String db = dir.resolve("q.db").toString();
    Tide first = Tide.open(vertx, new TideOptions().setDbPath(db)).await();
    try {
      first.collection("notes").put("a", new JsonObject().put("v", 1)).await();
      for (String name : List.of(db + "?", db + "?synchronous=off")) {
        Tide other = Tide.open(vertx, new TideOptions().setDbPath(name).setAddressPrefix("other")).await();
        try {
          assertNotEquals(first.nodeId(), other.nodeId(), name + " opened the file of another store");
          assertNull(other.collection("notes").get("a").await(), name);
        } finally {
          other.close().await();
        }
        assertTrue(Files.exists(Path.of(name)), name + " is the file written");
      }
    } finally {
      first.close().await();
    }
  }

  static String runChild(String db) throws Exception {
    Process child = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp",
      System.getProperty("java.class.path"), OpenChild.class.getName(), db).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String line;
    try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      line = in.readLine();
    }
    assertTrue(child.waitFor(60, TimeUnit.SECONDS));
    return String.valueOf(line);
  }
}
