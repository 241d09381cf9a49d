package dev.tide.core.impl;

import dev.tide.core.Change;
import dev.tide.core.ChangeSource;
import dev.tide.core.Stamp;
import dev.tide.core.Tide;
import dev.tide.core.TideCollection;
import dev.tide.core.TideOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** A failure while the cache is updated after a commit must neither leave stale entries nor hang the write. */
@ExtendWith(VertxExtension.class)
class ReadCacheFailureTest {

  @TempDir
  Path dir;

  @Test
  void aFailedUpdateTurnsTheCacheOff() {
    ReadCache cache = new ReadCache(100);
    cache.committed(List.of(Change.ofJson("notes", "a", new Stamp(1, "n"), "{\"v\":1}", ChangeSource.LOCAL)));
    assertNotNull(cache.get("notes", "a"));
    // a document that cannot be encoded makes the update throw half-way (after "a" would be updated)
    JsonObject unencodable = new JsonObject().put("x", new Object());
    cache.committed(List.of(Change.ofJson("notes", "a", new Stamp(2, "n"), "{\"v\":2}", ChangeSource.LOCAL),
      Change.of("notes", "b", new Stamp(3, "n"), unencodable, null, ChangeSource.LOCAL)));
    assertNull(cache.get("notes", "a"), "nothing is served from memory after a failed update");
    cache.fill("notes", "c", "{}", cache.mark());
    assertNull(cache.get("notes", "c"));
  }

  @Test
  @Timeout(30)
  void aFailingCommitHookDoesNotHangTheWrite(Vertx vertx) {
    TideImpl tide = (TideImpl) Tide.open(vertx, new TideOptions().setDbPath(dir.resolve("hook.db").toString())).await();
    try {
      tide.writer().onCommit(changes -> {
        throw new IllegalStateException("hook bug");
      });
      TideCollection notes = tide.collection("notes");
      notes.put("a", new JsonObject().put("v", 1)).await();
      assertEquals(1, notes.get("a").await().getInteger("v"));
    } finally {
      tide.close().await();
    }
  }
}
