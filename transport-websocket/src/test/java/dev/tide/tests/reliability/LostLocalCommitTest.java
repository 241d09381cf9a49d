package dev.tide.tests.reliability;

import dev.tide.core.Tide;
import dev.tide.tests.http.SyncFixture;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * With synchronous=NORMAL (the default) the last commits before a power loss may be gone. Simulated here
 * by restoring the client's files as they were before its last write and sync (which the server had
 * already committed). The client's clock goes back, and its next write reuses a stamp the server holds.
 * Was a bug: the server took it for a replay ("applied", nothing stored), the client dropped it from its
 * outbox, and the write reached no one; the server now keeps it under a server stamp, which every client
 * pulls, its writer included.
 */
@ExtendWith(VertxExtension.class)
class LostLocalCommitTest {

  @TempDir
  Path dir;

  @Test
  void aWriteAfterLostLocalCommitsIsNotSilentlyDropped(Vertx vertx) throws Exception {
    SyncFixture fx = new SyncFixture(vertx, dir).startServer();
    try {
      Tide a = fx.client("a");
      a.collection("notes").put("seed", new JsonObject().put("v", 0)).await();
      a.syncOnce().await();
      a.close().await();
      Path[] files = {dir.resolve("a.db"), dir.resolve("a.db-wal"), dir.resolve("a.db-shm")};
      for (Path f : files) {
        if (Files.exists(f)) {
          Files.copy(f, dir.resolve(f.getFileName() + ".snap"), StandardCopyOption.REPLACE_EXISTING);
        }
      }
      // the last commits: a write, and the sync that pushed it (the server committed it)
      a = fx.client("a");
      a.collection("notes").put("x", new JsonObject().put("v", 1)).await();
      a.syncOnce().await();
      a.close().await();
      // power loss: those last local commits are gone (README: may happen with synchronous=NORMAL)
      for (Path f : files) {
        Path snap = dir.resolve(f.getFileName() + ".snap");
        if (Files.exists(snap)) {
          Files.copy(snap, f, StandardCopyOption.REPLACE_EXISTING);
        } else {
          Files.deleteIfExists(f);
        }
      }
      // after the restart the user writes x again; this write is acknowledged and durable
      a = fx.client("a");
      a.collection("notes").put("x", new JsonObject().put("v", 2)).await();
      a.syncOnce().await();
      a.syncOnce().await();
      assertEquals(0L, a.pendingCount().await(), "the new write was acknowledged by the server");
      Tide b = fx.client("b");
      b.syncOnce().await();
      assertEquals(new JsonObject().put("v", 2), b.collection("notes").get("x").await(),
        "another client sees the acknowledged write v=2 (server has " + fx.serverState().get("notes/x") + ")");
    } finally {
      fx.close();
    }
  }
}
