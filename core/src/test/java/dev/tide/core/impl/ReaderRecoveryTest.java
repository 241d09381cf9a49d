package dev.tide.core.impl;

import dev.tide.core.Tide;
import dev.tide.core.TideOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.ProgressHandler;

import java.lang.reflect.Field;
import java.nio.file.Path;
import java.sql.Connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A read that fails in SQLite (here interrupted) fails alone: later reads work (the reader prepares its statements again). */
@ExtendWith(VertxExtension.class)
class ReaderRecoveryTest {

  @TempDir
  Path dir;

  @Test
  void aFailedReadDoesNotBreakLaterReads(Vertx vertx) throws Exception {
    TideImpl tide = (TideImpl) Tide.open(vertx, new TideOptions().setDbPath(dir.resolve("r.db").toString())
      .setReadCacheSize(0)).await();
    try {
      tide.collection("notes").put("a", new JsonObject().put("v", 1)).await();
      Field f = ReaderStore.class.getDeclaredField("conn");
      f.setAccessible(true);
      Connection reader = (Connection) f.get(tide.reader());
      boolean[] interrupt = {false};
      // on the reader thread, between reads: the next read is interrupted (SQLITE_INTERRUPT) once armed
      tide.read(() -> {
        ProgressHandler.setHandler(reader, 1, new ProgressHandler() {
          @Override
          protected int progress() {
            if (interrupt[0]) {
              interrupt[0] = false;
              return 1;
            }
            return 0;
          }
        });
        return null;
      }).await();
      tide.read(() -> interrupt[0] = true).await();
      assertTrue(tide.collection("notes").get("a").transform(ar -> Future.succeededFuture(ar.failed())).await(), "get failed");
      tide.read(() -> interrupt[0] = true).await();
      assertTrue(tide.collection("notes").list().transform(ar -> Future.succeededFuture(ar.failed())).await(), "list failed");
      assertEquals(1, tide.collection("notes").get("a").await().getInteger("v"));
      assertEquals(1, tide.collection("notes").list().await().size());
      assertEquals(1, tide.collection("notes").document("a").await().doc().getInteger("v"));
    } finally {
      tide.close().await();
    }
  }
}
